import { describe, expect, test } from "vitest";
import { ALWAYS_PROTECTED, checkLimits, protectedGlobOf } from "../../src/patch/limits.js";
import type { DiffSummary, FileChange, PatchLimits } from "../../src/protocol/patch-run.js";

const LIMITS: PatchLimits = {
  maxFiles: 5,
  maxLinesPerFile: 50,
  maxTotalLines: 100,
  approvedFiles: null,
  allowDependencyChanges: false,
  protectedPaths: [],
};

function change(path: string, added: number, removed = 0, extra: Partial<FileChange> = {}): FileChange {
  return { path, oldPath: null, status: "modified", added, removed, binary: false, dependencyChange: false, diff: "", ...extra };
}

function diffOf(...files: FileChange[]): DiffSummary {
  return { files, totalLines: files.reduce((sum, f) => sum + f.added + f.removed, 0), patch: "" };
}

const codes = (diff: DiffSummary, limits: Partial<PatchLimits> = {}) => checkLimits(diff, { ...LIMITS, ...limits }).map((v) => v.code);

describe("checkLimits", () => {
  test("a small approved change passes", () => {
    const diff = diffOf(change("auth/redis_pool.py", 1, 1));
    expect(checkLimits(diff, { ...LIMITS, approvedFiles: ["auth/redis_pool.py"] })).toEqual([]);
  });

  test("no_changes: an empty diff", () => {
    expect(checkLimits(diffOf(), LIMITS)).toEqual([{ code: "no_changes", file: null, limit: null, actual: 0, message: "Codex changed no files" }]);
  });

  test("too_many_files names the count, the limit and the files", () => {
    const files = ["a", "b", "c", "d", "e", "f"].map((name) => change(`src/${name}.ts`, 1));
    const [violation] = checkLimits(diffOf(...files), LIMITS);
    expect(violation).toMatchObject({ code: "too_many_files", limit: 5, actual: 6 });
    expect(violation?.message).toBe("6 files changed (limit 5): src/a.ts, src/b.ts, src/c.ts, src/d.ts, src/e.ts, src/f.ts");
  });

  test("file_too_large counts added + removed per file", () => {
    const violations = checkLimits(diffOf(change("src/a.ts", 40, 23), change("src/b.ts", 25, 25)), LIMITS);
    expect(violations).toEqual([
      { code: "file_too_large", file: "src/a.ts", limit: 50, actual: 63, message: "src/a.ts: 63 changed lines (limit 50 per file)" },
      { code: "too_many_lines", file: null, limit: 100, actual: 113, message: "113 changed lines in total (limit 100)" },
    ]);
  });

  test("too_many_lines alone, when each file is within its limit", () => {
    const files = [change("a.ts", 30, 10), change("b.ts", 40), change("c.ts", 35)];
    const violations = checkLimits(diffOf(...files), LIMITS);
    expect(violations.map((v) => v.message)).toEqual(["115 changed lines in total (limit 100)"]);
  });

  test("a binary change counts as one line and is named as binary", () => {
    const logo = change("assets/logo.png", 0, 0, { binary: true });
    expect(checkLimits(diffOf(logo), LIMITS)).toEqual([]);
    const [tooLarge] = checkLimits(diffOf(logo), { ...LIMITS, maxLinesPerFile: 0 });
    expect(tooLarge?.message).toBe("assets/logo.png (binary): binary change, counted as 1 changed line (limit 0 per file)");
    const total = checkLimits(diffOf(change("a.ts", 50), change("b.ts", 50), logo), LIMITS);
    expect(total.map((v) => v.message)).toEqual(["101 changed lines in total (limit 100), counting each binary file as 1 line (assets/logo.png)"]);
  });

  test("unapproved_file: exact paths and globs", () => {
    const diff = diffOf(change("src/auth/pool.py", 2), change("src/auth/sub/x.py", 1), change("README.md", 1));
    const violations = checkLimits(diff, { ...LIMITS, approvedFiles: ["src/auth/*.py", "./docs/"] });
    expect(violations).toEqual([
      { code: "unapproved_file", file: "src/auth/sub/x.py", limit: null, actual: null, message: "src/auth/sub/x.py: not in the approved files" },
      { code: "unapproved_file", file: "README.md", limit: null, actual: null, message: "README.md: not in the approved files" },
    ]);
    expect(codes(diffOf(change("docs/guide/a.md", 1)), { approvedFiles: ["docs/"] })).toEqual([]);
    expect(codes(diffOf(change("src/x/y/z.ts", 1)), { approvedFiles: ["src/**"] })).toEqual([]);
  });

  test("approval globs do not reach dot files and are case-sensitive", () => {
    expect(codes(diffOf(change("src/.env", 1)), { approvedFiles: ["src/*"] })).toEqual(["unapproved_file"]);
    expect(codes(diffOf(change("SRC/a.ts", 1)), { approvedFiles: ["src/a.ts"] })).toEqual(["unapproved_file"]);
  });

  test("null approved files means any file (micro)", () => {
    expect(codes(diffOf(change("anything/at/all.ts", 3)), { approvedFiles: null })).toEqual([]);
  });

  test("a rename needs both the old and the new path approved", () => {
    const rename = change("src/new.ts", 0, 0, { status: "renamed", oldPath: "src/old.ts" });
    expect(codes(diffOf(rename), { approvedFiles: ["src/old.ts", "src/new.ts"] })).toEqual([]);
    const [violation] = checkLimits(diffOf(rename), { ...LIMITS, approvedFiles: ["src/new.ts"] });
    expect(violation).toMatchObject({ code: "unapproved_file", file: "src/new.ts" });
    expect(violation?.message).toBe("src/old.ts → src/new.ts: a rename needs both paths approved; not approved: src/old.ts");
  });

  test("dependency_change unless allowed", () => {
    const manifest = change("package.json", 1, 0, { dependencyChange: true });
    const [violation] = checkLimits(diffOf(manifest), LIMITS);
    expect(violation).toMatchObject({ code: "dependency_change", file: "package.json" });
    expect(violation?.message).toBe("package.json: changes dependencies (dependency changes need a person's approval)");
    expect(codes(diffOf(manifest), { allowDependencyChanges: true })).toEqual([]);
    expect(codes(diffOf(change("package.json", 1)))).toEqual([]); // a script edit is not a dependency change
  });

  test("protected_path: the daemon's state, the protocol folders, .git anywhere", () => {
    const files = [
      change("progress/ROUTE_DECISION.md", 1),
      change("out/codex-diagnosis-20260105-105500.md", 1),
      change(".autonomous_runs/.relay/claims/x.json", 1),
      change("codex-relay.toml", 1),
      change("vendor/lib/.git/config", 1),
      change(".GIT/hooks/pre-commit", 1),
    ];
    const violations = checkLimits(diffOf(...files), { ...LIMITS, maxFiles: 10 });
    expect(violations.map((v) => [v.code, v.file])).toEqual(files.map((f) => ["protected_path", f.path]));
    expect(violations[0]?.message).toBe("progress/ROUTE_DECISION.md: protected path (matches `progress/**`); a patch may never change it");
    expect(violations[4]?.message).toMatch(/matches `\.git\/\*\*`/);
  });

  test("protected paths from the config, and approval does not override protection", () => {
    const diff = diffOf(change("migrations/001.sql", 1), change("progress/TASK_PACKET.md", 1));
    const violations = checkLimits(diff, { ...LIMITS, protectedPaths: ["migrations/**"], approvedFiles: ["migrations/001.sql", "progress/TASK_PACKET.md"] });
    expect(violations.map((v) => v.message)).toEqual([
      "migrations/001.sql: protected path (matches `migrations/**`); a patch may never change it",
      "progress/TASK_PACKET.md: protected path (matches `progress/**`); a patch may never change it",
    ]);
  });

  test("a rename out of a protected folder is caught on its old path", () => {
    const rename = change("src/stolen.md", 0, 0, { status: "renamed", oldPath: "progress/ROUTE_DECISION.md" });
    expect(checkLimits(diffOf(rename), LIMITS).map((v) => [v.code, v.file])).toEqual([["protected_path", "progress/ROUTE_DECISION.md"]]);
  });

  test("every violation is reported at once", () => {
    const files = [
      change("progress/x.md", 1),
      change("package-lock.json", 60, 0, { dependencyChange: true }),
      change("a.ts", 45),
      change("b.ts", 1),
      change("c.ts", 1),
      change("d.ts", 1),
    ];
    expect(new Set(codes(diffOf(...files), { approvedFiles: ["a.ts", "b.ts", "c.ts", "d.ts"] }))).toEqual(
      new Set(["protected_path", "unapproved_file", "dependency_change", "file_too_large", "too_many_files", "too_many_lines"]),
    );
  });
});

describe("protectedGlobOf", () => {
  test("names the glob a path falls under", () => {
    expect(ALWAYS_PROTECTED).toContain("codex-relay.toml");
    expect(protectedGlobOf("./out/report.md")).toBe("out/**");
    expect(protectedGlobOf(".git")).toBe(".git/**");
    expect(protectedGlobOf("src/output.ts")).toBeNull();
    expect(protectedGlobOf("docs/codex-relay.toml")).toBeNull();
    expect(protectedGlobOf("secrets/key.pem", ["secrets/"])).toBe("secrets/");
  });
});
