import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { normalizeApprovedPath, parseRouteDecision } from "../../src/protocol/route-decision.js";

const EXAMPLE = fileURLToPath(new URL("../../progress/ROUTE_DECISION.md", import.meta.url));

describe("parseRouteDecision", () => {
  test("reads the example route decision shipped in progress/", () => {
    const route = parseRouteDecision(readFileSync(EXAMPLE, "utf8"));
    expect(route).toMatchObject({
      permission: "codex-rw",
      approvedBy: "alice",
      approvedFiles: ["src/math.js"],
      diagnosis: "out/codex-diagnosis-20261202-194641.md",
      // Pinned by content: a clone or checkout rewrites time stamps, never the hash.
      diagnosisSha256: "b53e8575ebd9644c79ba409b1dbf1f335863662b6f79fcc4fc491a464d4fdbb3",
      problems: [],
    });
  });

  test("the diagnosis named, with an optional sha256 pin, in the body or the front matter", () => {
    const hash = "ab".repeat(32);
    expect(parseRouteDecision("# Route\n\nDiagnosis: `out/a.md`\n")).toMatchObject({ diagnosis: "out/a.md", diagnosisSha256: null });
    expect(parseRouteDecision(`# Route\n\n- **Diagnosis**: out/a.md\n- Diagnosis SHA256: \`${hash.toUpperCase()}\`\n`)).toMatchObject({ diagnosis: "out/a.md", diagnosisSha256: hash });
    expect(parseRouteDecision(`# Route\n\nDiagnosis: out/a.md (sha256: ${hash})\n`)).toMatchObject({ diagnosis: "out/a.md", diagnosisSha256: hash });
    expect(parseRouteDecision(`---\ndiagnosis: out/b.md\ndiagnosis_sha256: ${hash}\n---\nDiagnosis: out/a.md\n`)).toMatchObject({ diagnosis: "out/b.md", diagnosisSha256: hash });
    expect(parseRouteDecision("# Route\n\n```\nDiagnosis: out/a.md\n```\n")).toMatchObject({ diagnosis: null });
    const bad = parseRouteDecision("Diagnosis: out/a.md\ndiagnosis_sha256: abc\n");
    expect(bad).toMatchObject({ diagnosis: "out/a.md", diagnosisSha256: null });
    expect(bad.problems).toEqual(["diagnosis_sha256 `abc` is not a sha256 (64 hex digits); it was ignored"]);
  });

  test.each([
    ["permission: codex-rw"],
    ["**Permission**: codex-rw"],
    ["**Permission:** `codex-rw`"],
    ["- Permission: codex-rw"],
    ["PERMISSION: Codex-RW"],
    ["Permission: **codex-rw** (per the diagnosis)"],
  ])("body line %j grants codex-rw", (line) => {
    expect(parseRouteDecision(`# Route\n\n${line}\n`).permission).toBe("codex-rw");
  });

  test("approver from body lines in their usual spellings", () => {
    expect(parseRouteDecision("- **Approved by**: Claude (Chair)\n").approvedBy).toBe("Claude (Chair)");
    expect(parseRouteDecision("approved-by: ana@example.com\n").approvedBy).toBe("ana@example.com");
    expect(parseRouteDecision("Approved_By: `ana`\n").approvedBy).toBe("ana");
  });

  test("front matter keys, including approved-by and approved_files", () => {
    const route = parseRouteDecision("---\npermission: codex-ro\napproved-by: Ana\napproved_files:\n  - ./src/a.ts\n  - src/b/*.ts\n---\n# x\n");
    expect(route).toMatchObject({ permission: "codex-ro", approvedBy: "Ana", approvedFiles: ["src/a.ts", "src/b/*.ts"] });
  });

  test("front matter wins over the body", () => {
    const route = parseRouteDecision("---\npermission: codex-ro\n---\npermission: codex-rw\n\n## Approved Files\n- a.ts\n");
    expect(route.permission).toBe("codex-ro");
    expect(route.approvedFiles).toEqual(["a.ts"]);
  });

  test("approved file items: backticks, trailing reasons, checkboxes, folders", () => {
    const route = parseRouteDecision(
      [
        "## Approved Files",
        "- `src/auth/redis_pool.py` — the pool size lives here",
        "- ./src/auth/config.py - default timeout",
        "- src/auth/__init__.py (export)",
        "- src/auth/a.py – en dash reason",
        "* [x] tests/test_auth.py",
        "1. docs/",
        "- src\\win\\path.ts",
        "- (list the files Codex may change)",
        "- src/auth/redis_pool.py",
        "",
        "## Notes",
        "- not/a/file.ts",
      ].join("\n"),
    );
    expect(route.approvedFiles).toEqual([
      "src/auth/redis_pool.py",
      "src/auth/config.py",
      "src/auth/__init__.py",
      "src/auth/a.py",
      "tests/test_auth.py",
      "docs/**",
      "src/win/path.ts",
    ]);
  });

  test("a fenced list under Approved Files is read when there are no list items", () => {
    expect(parseRouteDecision("## Approved Files\n```\n# comment\nsrc/a.ts\n\nsrc/b.ts\n```\n").approvedFiles).toEqual(["src/a.ts", "src/b.ts"]);
  });

  test("absolute paths and .. segments are dropped and reported", () => {
    const route = parseRouteDecision(
      "permission: codex-rw\napproved_by: ana\n\n## Approved Files\n- ../outside.ts\n- src/../../etc/passwd\n- /etc/passwd\n- C:\\Windows\\x.dll\n- ~/.ssh/id_rsa\n- src/ok.ts\n",
    );
    expect(route.approvedFiles).toEqual(["src/ok.ts"]);
    expect(route.problems).toHaveLength(5);
    expect(route.problems[0]).toBe('approved file "../outside.ts" has a `..` segment, which could leave the workspace; it was dropped');
    expect(route.problems[2]).toMatch(/"\/etc\/passwd" is an absolute path/);
  });

  test("conflicting permission lines grant nothing", () => {
    const route = parseRouteDecision("permission: codex-ro\n\nLater:\npermission: codex-rw\n");
    expect(route.permission).toBeNull();
    expect(route.problems[0]).toMatch(/permission is stated more than once with different values/);
  });

  test("unknown permission values and placeholder approvers count as none", () => {
    const route = parseRouteDecision("---\npermission: read-write\napproved_by: <name>\n---\n");
    expect(route.permission).toBeNull();
    expect(route.approvedBy).toBeNull();
    expect(route.problems).toEqual([
      "permission `read-write` is neither `codex-ro` nor `codex-rw`; it was ignored",
      "approved_by `<name>` is a placeholder, not a name",
    ]);
    expect(parseRouteDecision("permission: codex-rwx\n").permission).toBeNull();
  });

  test("the block the diagnosis report suggests approves nothing until a name is added", () => {
    const suggested = "---\npermission: codex-rw\napproved_by:\n---\n\n# Route Decision: x\n\n## Approved Files\n\n- src/a.ts\n";
    expect(parseRouteDecision(suggested)).toMatchObject({ permission: "codex-rw", approvedBy: null, approvedFiles: ["src/a.ts"] });
  });

  test("statements inside fenced examples do not count", () => {
    const route = parseRouteDecision("# Route\n\n```\npermission: codex-rw\napproved_by: someone\n```\n");
    expect(route).toMatchObject({ permission: null, approvedBy: null });
  });

  test("JavaScript front matter is never evaluated", () => {
    const marker = "__codexRelayRouteEval";
    const route = parseRouteDecision(`---javascript\n{ permission: (globalThis.${marker} = "codex-rw") }\n---\n# Route\n`);
    expect((globalThis as Record<string, unknown>)[marker]).toBeUndefined();
    expect(route.permission).toBeNull();
    expect(route.problems[0]).toMatch(/front matter language `javascript` is not supported/);
  });

  test("## Permission and ## Approved By sections", () => {
    const route = parseRouteDecision("## Permission\n\n`codex-rw`\n\n## Approved By\n\nAna Lima\n");
    expect(route).toMatchObject({ permission: "codex-rw", approvedBy: "Ana Lima" });
  });
});

describe("normalizeApprovedPath", () => {
  test("posix, relative, no ./ or empty segments", () => {
    expect(normalizeApprovedPath("./a//b/./c.ts")).toEqual({ ok: true, path: "a/b/c.ts" });
    expect(normalizeApprovedPath("src/**")).toEqual({ ok: true, path: "src/**" });
    expect(normalizeApprovedPath("  ")).toEqual({ ok: true, path: "" });
  });

  test("control characters are refused", () => {
    expect(normalizeApprovedPath("src/a\u0000.ts").ok).toBe(false);
  });
});
