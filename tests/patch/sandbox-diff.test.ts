import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { git, gitdir, isolateGitHome } from "../helpers/gitdir.js";
import { testdir } from "../helpers/testdir.js";
import { collectChanges, writePatchFile } from "../../src/patch/sandbox-diff.js";

const rootDir = isolateGitHome("relay-sandbox-diff-");

const LONG = Array.from({ length: 20 }, (_, i) => `line ${i} of a file that will be renamed\n`).join("");
const PACKAGE = { name: "demo", scripts: { test: "vitest" }, dependencies: { zod: "^4.0.0" } };

let repo: string;
let sandbox: string;
let base: string;
beforeEach(async () => {
  const dir = await testdir({}, { parent: rootDir(), prefix: "case-" });
  sandbox = path.join(dir, "sandbox");
  repo = await gitdir({
    dir: path.join(dir, "repo"),
    files: {
      ".gitignore": "node_modules/\n",
      "src/keep.ts": "export const a = 1;\nexport const b = 2;\n",
      "src/gone.ts": "x\ny\nz\n",
      "old-name.md": LONG,
      "logo.bin": Buffer.from([0, 1, 2, 3, 255]),
      "package.json": `${JSON.stringify(PACKAGE, null, 2)}\n`,
      "package-lock.json": "{}\n",
    },
    commit: "base",
  });
  base = git(repo, ["rev-parse", "HEAD"]).trim();
  git(repo, ["worktree", "add", "-q", "--detach", sandbox, base]);
});

const byPath = <T extends { path: string }>(files: readonly T[], file: string) => files.find((f) => f.path === file);

describe("collectChanges", () => {
  it("counts added, modified, deleted, renamed and binary files, with per-file diffs", async () => {
    await writeFile(path.join(sandbox, "src", "keep.ts"), "export const a = 1;\nexport const b = 3;\nexport const c = 4;\n");
    await rm(path.join(sandbox, "src", "gone.ts"));
    await mkdir(path.join(sandbox, "src", "new dir"));
    await writeFile(path.join(sandbox, "src", "new dir", "fresh.ts"), "one\ntwo\n");
    await rm(path.join(sandbox, "old-name.md"));
    await writeFile(path.join(sandbox, "docs.md"), `${LONG}one more line\n`);
    await writeFile(path.join(sandbox, "logo.bin"), Buffer.from([0, 9, 9, 9]));
    await mkdir(path.join(sandbox, "node_modules"));
    await writeFile(path.join(sandbox, "node_modules", "ignored.js"), "ignored\n");

    const summary = await collectChanges(sandbox, base);
    const files = summary.files.map(({ diff: _diff, ...rest }) => rest);
    expect(files).toEqual([
      { path: "docs.md", oldPath: "old-name.md", status: "renamed", added: 1, removed: 0, binary: false, dependencyChange: false },
      { path: "logo.bin", oldPath: null, status: "modified", added: 0, removed: 0, binary: true, dependencyChange: false },
      { path: "src/gone.ts", oldPath: null, status: "deleted", added: 0, removed: 3, binary: false, dependencyChange: false },
      { path: "src/keep.ts", oldPath: null, status: "modified", added: 2, removed: 1, binary: false, dependencyChange: false },
      { path: "src/new dir/fresh.ts", oldPath: null, status: "added", added: 2, removed: 0, binary: false, dependencyChange: false },
    ]);
    expect(summary.totalLines).toBe(9);
    expect(byPath(summary.files, "src/keep.ts")?.diff).toMatch(/^diff --git a\/src\/keep.ts b\/src\/keep.ts\n[\s\S]*-export const b = 2;\n\+export const b = 3;\n\+export const c = 4;\n$/);
    expect(byPath(summary.files, "docs.md")?.diff).toContain("rename from old-name.md\nrename to docs.md\n");
    expect(byPath(summary.files, "logo.bin")?.diff).toContain("GIT binary patch");
    expect(summary.patch).toBe(summary.files.map((f) => f.diff).join(""));
  });

  it("produces a patch that git can apply to the base, and writes it as a .patch file", async () => {
    await writeFile(path.join(sandbox, "src", "keep.ts"), "changed\n");
    await writeFile(path.join(sandbox, "logo.bin"), Buffer.from([7, 0, 7]));
    await writeFile(path.join(sandbox, "added.txt"), "new\n");
    const summary = await collectChanges(sandbox, base);
    const file = path.join(rootDir(), `${path.basename(path.dirname(repo))}.patch`);
    await writePatchFile(summary, file);
    expect(await readFile(file, "utf8")).toBe(summary.patch);
    git(repo, ["apply", "--index", file]); // applied to the Builder's clean checkout at base
    expect(await readFile(path.join(repo, "logo.bin"))).toEqual(Buffer.from([7, 0, 7]));
    expect(await readFile(path.join(repo, "added.txt"), "utf8")).toBe("new\n");
  });

  it("reports a file turned into a symlink as a type change", async () => {
    await rm(path.join(sandbox, "src", "gone.ts"));
    await symlink("keep.ts", path.join(sandbox, "src", "gone.ts"));
    await writeFile(path.join(sandbox, "z.txt"), "after the type change\n");
    const summary = await collectChanges(sandbox, base);
    expect(summary.files.map((f) => [f.path, f.status])).toEqual([["src/gone.ts", "typechange"], ["z.txt", "added"]]);
    expect(byPath(summary.files, "src/gone.ts")?.diff.match(/^diff --git /gm)).toHaveLength(2);
    expect(byPath(summary.files, "z.txt")?.diff).toMatch(/^diff --git a\/z.txt b\/z.txt\nnew file mode/);
  });

  it("flags dependency changes in package.json sections but not in its scripts", async () => {
    await writeFile(path.join(sandbox, "package.json"), `${JSON.stringify({ ...PACKAGE, scripts: { test: "vitest run" } }, null, 2)}\n`);
    let summary = await collectChanges(sandbox, base);
    expect(summary.files.map((f) => [f.path, f.dependencyChange])).toEqual([["package.json", false]]);

    await writeFile(path.join(sandbox, "package.json"), `${JSON.stringify({ ...PACKAGE, dependencies: { zod: "^4.0.0", "left-pad": "1.3.0" } }, null, 2)}\n`);
    summary = await collectChanges(sandbox, base);
    expect(summary.files.map((f) => [f.path, f.dependencyChange])).toEqual([["package.json", true]]);
  });

  it("flags changed lock files, new manifests and a manifest moved away", async () => {
    await writeFile(path.join(sandbox, "package-lock.json"), '{"packages":{}}\n');
    await writeFile(path.join(sandbox, "requirements.txt"), "requests==2.0\n");
    await mkdir(path.join(sandbox, "pkg"));
    git(sandbox, ["mv", "package.json", "pkg/package.json"]);
    const summary = await collectChanges(sandbox, base);
    expect(summary.files.map((f) => [f.path, f.status, f.dependencyChange])).toEqual([
      ["package-lock.json", "modified", true],
      ["pkg/package.json", "renamed", true],
      ["requirements.txt", "added", true],
    ]);
  });

  it("stages in the sandbox's own index and leaves the Builder's alone", async () => {
    await writeFile(path.join(repo, "builder-untracked.txt"), "mine\n");
    const index = await readFile(path.join(repo, ".git", "index"));
    await writeFile(path.join(sandbox, "new.txt"), "n\n");
    const summary = await collectChanges(sandbox, base);
    expect(summary.files.map((f) => f.path)).toEqual(["new.txt"]);
    expect(await readFile(path.join(repo, ".git", "index"))).toEqual(index);
    expect(git(repo, ["status", "--porcelain"])).toBe("?? builder-untracked.txt\n");
  });

  it("returns an empty summary when nothing changed", async () => {
    expect(await collectChanges(sandbox, base)).toEqual({ files: [], totalLines: 0, patch: "" });
  });
});
