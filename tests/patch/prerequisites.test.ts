import { mkdir, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, test } from "vitest";
import { DIAGNOSIS_FILE, latestDiagnosis } from "../../src/patch/diagnosis-files.js";
import { checkPrerequisites } from "../../src/patch/prerequisites.js";
import { layoutFor, type Layout } from "../../src/protocol/layout.js";
import { sha256 } from "../../src/util/sha256.js";
import { testdir } from "../helpers/testdir.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const PATCH = { requireDiagnosis: true, requireRoute: true };
const DIAGNOSIS = "# Diagnosis Report: x\n\n## Root Cause\n\nPool too small.\n\n## Recommended Fix\n\nRaise pool_size to 50.\n";

let dir: string;
let layout: Layout;

beforeEach(async () => {
  dir = await testdir({}, { prefix: "codex-relay-prereq-" });
  layout = layoutFor(dir);
});

async function write(relative: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
  await writeFile(path.join(dir, relative), text);
}

// The example files shipped in progress/ plus a rendered-style diagnosis: a complete set.
async function writeAll(): Promise<void> {
  await write("progress/TASK_PACKET.md", await readFile(path.join(REPO, "progress/TASK_PACKET.md"), "utf8"));
  // Without its `Diagnosis:` lines the example approves the newest diagnosis, whatever its name.
  await write("progress/ROUTE_DECISION.md", (await readFile(path.join(REPO, "progress/ROUTE_DECISION.md"), "utf8")).replace(/^Diagnosis.*\n/gm, ""));
  await write("out/codex-diagnosis-20260105-105500.md", DIAGNOSIS);
}

const whats = async (options = PATCH) => {
  const result = await checkPrerequisites(layout, options);
  return result.ok ? [] : result.missing.map((m) => m.what);
};

describe("checkPrerequisites", () => {
  test("all three hold: the packet, the route and the diagnosis are returned", async () => {
    await writeAll();
    const result = await checkPrerequisites(layout, PATCH);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.packet.verification).toEqual(["npm test"]);
    expect(result.route?.approvedFiles).toEqual(["src/math.js"]);
    expect(result.diagnosis).toEqual({ path: "out/codex-diagnosis-20260105-105500.md", text: DIAGNOSIS, sha256: sha256(DIAGNOSIS) });
    expect(result.routeSha256).toBe(sha256(await readFile(path.join(dir, "progress/ROUTE_DECISION.md"), "utf8")));
  });

  test("an empty workspace reports every missing file at once, each with its fix", async () => {
    const result = await checkPrerequisites(layout, PATCH);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.packet).toBeUndefined();
    expect(result.missing).toEqual([
      {
        what: "task_packet",
        path: "progress/TASK_PACKET.md",
        message: "progress/TASK_PACKET.md does not exist",
        fix: "Write progress/TASK_PACKET.md with a `# <title>` line, a description, and a `## Verification` section with a fenced block of commands, one per line (e.g. `npm test`).",
      },
      {
        what: "route_decision",
        path: "progress/ROUTE_DECISION.md",
        message: "progress/ROUTE_DECISION.md does not exist",
        fix: "Write progress/ROUTE_DECISION.md with `permission: codex-rw`, `approved_by: <name>` and an `## Approved Files` list of the files Codex may change, one `- path` per line.",
      },
      {
        what: "diagnosis",
        path: "out/codex-diagnosis-YYYYMMDD-HHMMSS.md",
        message: "no diagnosis found: out/codex-diagnosis-YYYYMMDD-HHMMSS.md does not exist",
        fix: "Run `codex-relay diagnose` (or write out/codex-diagnosis-YYYYMMDD-HHMMSS.md by hand) with the root cause and a `## Recommended Fix` section.",
      },
    ]);
  });

  test("a task packet without verification commands", async () => {
    await writeAll();
    await write("progress/TASK_PACKET.md", "# Fix it\n\nSomething is broken.\n");
    const result = await checkPrerequisites(layout, PATCH);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.packet?.title).toBe("Fix it");
    expect(result.missing).toEqual([
      {
        what: "verification_commands",
        path: "progress/TASK_PACKET.md",
        message: "progress/TASK_PACKET.md lists no verification commands",
        fix: "Add a `## Verification` section to progress/TASK_PACKET.md with a fenced code block holding the commands that prove the fix, one per line (e.g. `npm test`).",
      },
    ]);
  });

  test("a route decision that only grants codex-ro, with no approver and no files: three items", async () => {
    await writeAll();
    await write("progress/ROUTE_DECISION.md", "# Route\n\npermission: codex-ro\n");
    const result = await checkPrerequisites(layout, PATCH);
    if (result.ok) throw new Error("expected missing prerequisites");
    expect(result.missing.map((m) => [m.what, m.message])).toEqual([
      ["codex_rw_permission", "progress/ROUTE_DECISION.md grants `codex-ro` (read-only), not `codex-rw`"],
      ["approval", "progress/ROUTE_DECISION.md does not say who approved the change (no `approved_by:`)"],
      ["approved_files", "progress/ROUTE_DECISION.md approves no files"],
    ]);
    expect(result.missing[0]?.fix).toBe("Once write access is approved, set `permission: codex-rw` in progress/ROUTE_DECISION.md (front matter, or a `permission: codex-rw` line).");
    expect(result.missing[1]?.fix).toBe("Add `approved_by: <name>` to progress/ROUTE_DECISION.md, naming the person or agent who approved codex-rw.");
    expect(result.missing[2]?.fix).toMatch(/^Add an `## Approved Files` section to progress\/ROUTE_DECISION.md/);
  });

  test("a route decision with no permission at all, and unsafe approved paths named in the message", async () => {
    await writeAll();
    await write("progress/ROUTE_DECISION.md", "---\napproved_by: ana\n---\n## Approved Files\n- ../../etc/passwd\n");
    const result = await checkPrerequisites(layout, PATCH);
    if (result.ok) throw new Error("expected missing prerequisites");
    expect(result.missing.map((m) => m.what)).toEqual(["codex_rw_permission", "approved_files"]);
    expect(result.missing[0]?.message).toMatch(/^progress\/ROUTE_DECISION.md does not state `permission: codex-rw`/);
    expect(result.missing[1]?.message).toContain('approved file "../../etc/passwd" has a `..` segment');
  });

  test("the newest diagnosis must exist, be non-empty and recommend a fix", async () => {
    await writeAll();
    await write("out/codex-diagnosis-20260106-090000.md", "   \n");
    let result = await checkPrerequisites(layout, PATCH);
    if (result.ok) throw new Error("expected missing prerequisites");
    expect(result.missing).toEqual([
      expect.objectContaining({ what: "diagnosis", path: "out/codex-diagnosis-20260106-090000.md", message: "out/codex-diagnosis-20260106-090000.md (the newest diagnosis) is empty" }),
    ]);

    await write("out/codex-diagnosis-20260106-090000.md", "# Diagnosis\n\n## Root Cause\n\nNo idea yet.\n\n```\n## Recommended Fix\n```\n");
    result = await checkPrerequisites(layout, PATCH);
    if (result.ok) throw new Error("expected missing prerequisites");
    expect(result.missing[0]?.message).toBe(
      "out/codex-diagnosis-20260106-090000.md (the newest diagnosis) has no fix recommendation: no heading mentions a fix or recommendation",
    );
    expect(result.missing[0]?.fix).toMatch(/^Add a `## Recommended Fix` section to out\/codex-diagnosis-20260106-090000.md/);

    await write("out/codex-diagnosis-20260106-090000.md", "# Diagnosis\n\n### Recommendations\n\nRaise the limit.\n");
    result = await checkPrerequisites(layout, PATCH);
    expect(result.ok && result.diagnosis?.path).toBe("out/codex-diagnosis-20260106-090000.md");
  });

  test("symbolic links and directories are refused, not followed", async () => {
    await writeAll();
    await write("secret.txt", "## Fix\nsecret\n");
    await symlink(path.join(dir, "secret.txt"), path.join(dir, "out/codex-diagnosis-20260107-000000.md"));
    await rm(path.join(dir, "progress/TASK_PACKET.md"));
    await mkdir(path.join(dir, "progress/TASK_PACKET.md"));
    const result = await checkPrerequisites(layout, PATCH);
    if (result.ok) throw new Error("expected missing prerequisites");
    expect(result.missing.map((m) => [m.what, m.message])).toEqual([
      ["task_packet", "progress/TASK_PACKET.md is not a regular file"],
      ["diagnosis", "out/codex-diagnosis-20260107-000000.md is a symbolic link; it must be a regular file"],
    ]);
  });

  test("micro-like checks: no route or diagnosis required", async () => {
    await write("progress/TASK_PACKET.md", "# T\n\n## Verification\n- npm test\n");
    const result = await checkPrerequisites(layout, { requireDiagnosis: false, requireRoute: false });
    expect(result).toMatchObject({ ok: true, route: null, diagnosis: null });
    expect(await whats({ requireDiagnosis: true, requireRoute: false })).toEqual(["diagnosis"]);
    expect(await whats({ requireDiagnosis: false, requireRoute: true })).toEqual(["route_decision"]);
  });

  test("a route that is present but not required is still returned", async () => {
    await writeAll();
    await write("progress/ROUTE_DECISION.md", "permission: codex-ro\n");
    const result = await checkPrerequisites(layout, { requireDiagnosis: true, requireRoute: false });
    expect(result.ok && result.route?.permission).toBe("codex-ro");
  });
});

describe("the diagnosis a route decision names", () => {
  const OLDER = "out/codex-diagnosis-20260101-000000.md";
  const NEWER = "out/codex-diagnosis-20260102-000000.md";
  const route = (lines: string) => `---\npermission: codex-rw\napproved_by: alice\n---\n# Route\n\n${lines}\n\n## Approved Files\n- src/math.js\n`;
  // Diagnoses first, the approval after: the order a careful approver writes them in.
  async function approve(lines: string): Promise<void> {
    await write("progress/TASK_PACKET.md", "# T\n\n## Verification\n- npm test\n");
    await write(OLDER, DIAGNOSIS.replace("Raise pool_size to 50.", "the older fix"));
    await write(NEWER, DIAGNOSIS.replace("Raise pool_size to 50.", "the newer fix"));
    await write("progress/ROUTE_DECISION.md", route(lines));
    const past = new Date("2026-01-03T00:00:00Z");
    await utimes(path.join(dir, OLDER), past, past);
    await utimes(path.join(dir, NEWER), past, past);
  }

  test("is the one used, not the newest", async () => {
    await approve(`Diagnosis: \`${OLDER}\``);
    const result = await checkPrerequisites(layout, PATCH);
    if (!result.ok) throw new Error(JSON.stringify(result.missing));
    expect(result.diagnosis?.path).toBe(OLDER);
    expect(result.diagnosis?.text).toContain("the older fix");
    expect(result.diagnosis?.sha256).toBe(sha256(await readFile(path.join(dir, OLDER), "utf8")));
  });

  test("the example shipped in progress/ approves the example diagnosis in out/ by its pinned sha256", async () => {
    await write("progress/TASK_PACKET.md", await readFile(path.join(REPO, "progress/TASK_PACKET.md"), "utf8"));
    await write("progress/ROUTE_DECISION.md", await readFile(path.join(REPO, "progress/ROUTE_DECISION.md"), "utf8"));
    await write("out/codex-diagnosis-20261202-194641.md", await readFile(path.join(REPO, "out/codex-diagnosis-20261202-194641.md"), "utf8"));
    await write(NEWER, DIAGNOSIS); // newer, and written after the route decision: neither matters
    const result = await checkPrerequisites(layout, PATCH);
    expect(result.ok && result.diagnosis?.path).toBe("out/codex-diagnosis-20261202-194641.md");
  });

  test("that does not exist is refused, naming the path and the nearest existing diagnoses", async () => {
    await approve("Diagnosis: out/codex-diagnosis-20260101-000100.md");
    const result = await checkPrerequisites(layout, PATCH);
    if (result.ok) throw new Error("expected a refusal");
    expect(result.missing).toEqual([
      expect.objectContaining({
        what: "diagnosis",
        path: "out/codex-diagnosis-20260101-000100.md",
        message: `progress/ROUTE_DECISION.md names the diagnosis out/codex-diagnosis-20260101-000100.md, which does not exist; the nearest existing diagnoses: \`${OLDER}\`, \`${NEWER}\``,
      }),
    ]);
  });

  test("that changed after the approval is a stale approval: by its pinned sha256, or written after the route decision", async () => {
    await approve(`Diagnosis: ${OLDER}\nDiagnosis SHA256: ${sha256(DIAGNOSIS.replace("Raise pool_size to 50.", "the older fix"))}`);
    expect(await whats()).toEqual([]);
    await write(OLDER, DIAGNOSIS.replace("Raise pool_size to 50.", "an edited fix"));
    const pinned = await checkPrerequisites(layout, PATCH);
    if (pinned.ok) throw new Error("expected a stale approval");
    expect(pinned.missing).toEqual([expect.objectContaining({ what: "stale_approval", path: OLDER })]);
    expect(pinned.missing[0]?.message).toMatch(/changed after progress\/ROUTE_DECISION.md approved it \(its sha256 is [0-9a-f]{64}, the approval pins/);

    // No pin: the route decision's last write is the approval; a diagnosis written later is stale.
    await approve(`Diagnosis: ${OLDER}`);
    expect(await whats()).toEqual([]);
    const later = new Date("2026-01-05T00:00:00Z");
    await utimes(path.join(dir, "progress/ROUTE_DECISION.md"), new Date("2026-01-04T00:00:00Z"), new Date("2026-01-04T00:00:00Z"));
    await utimes(path.join(dir, OLDER), later, later);
    expect(await whats()).toEqual(["stale_approval"]);
  });
});

describe("latestDiagnosis", () => {
  test("picks the newest by name and ignores other files", async () => {
    expect(await latestDiagnosis(layout)).toBeNull();
    await write("out/codex-diagnosis-20260105-105500.md", DIAGNOSIS);
    await write("out/codex-diagnosis-20251231-235959.md", DIAGNOSIS);
    await write("out/codex-diagnosis-20260105-105500.md.bak", DIAGNOSIS);
    await write("out/codex-diagnosis-latest.md", DIAGNOSIS);
    await write("out/codex-patch-20270101-000000.md", DIAGNOSIS);
    expect(await latestDiagnosis(layout)).toEqual({
      path: "out/codex-diagnosis-20260105-105500.md",
      file: path.join(dir, "out", "codex-diagnosis-20260105-105500.md"),
    });
  });

  test("DIAGNOSIS_FILE matches only the timestamped name", () => {
    expect(DIAGNOSIS_FILE.test("codex-diagnosis-20260105-105500.md")).toBe(true);
    expect(DIAGNOSIS_FILE.test("codex-diagnosis-2026015-105500.md")).toBe(false);
    expect(DIAGNOSIS_FILE.test("x-codex-diagnosis-20260105-105500.md")).toBe(false);
  });
});
