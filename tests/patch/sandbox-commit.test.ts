import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
// Read-only git for assertions: no hooks, no fsmonitor, no index refresh written back.
import { git, gitdir, identityEnv, isolateGitHome } from "../helpers/gitdir.js";
import { testdir } from "../helpers/testdir.js";
import { builderHead, commitSandbox, deleteBranch, mergeIntoBuilder, saveFailedWork } from "../../src/patch/sandbox-commit.js";
import { collectChanges } from "../../src/patch/sandbox-diff.js";
import { createWorktreePool, type WorktreePool } from "../../src/patch/worktree-pool.js";

const rootDir = isolateGitHome("relay-sandbox-commit-");
const NOW = new Date("2030-01-02T03:04:05Z");
const exists = (file: string) => readFile(file).then(() => true, () => false);

let repo: string;
let pool: WorktreePool;
let base: string;
beforeEach(async () => {
  const dir = await testdir({}, { parent: rootDir(), prefix: "case-" });
  repo = await gitdir({ dir: path.join(dir, "repo"), files: { ".gitignore": "*.log\n", "a.txt": "one\n", "src/b.txt": "bee\n" }, commit: "first" });
  base = git(repo, ["rev-parse", "HEAD"]).trim();
  pool = createWorktreePool({ repo, root: path.join(dir, "pool"), size: 1 });
});

const MESSAGE = "fix(core): handle empty input\n\nWhy: `$(touch pwned)` and \"quotes\" stay text.\n# A heading line, not a comment\n\nVerification:\n- npm test: PASS\n\nRelay-Request: 42\n";

describe("commitSandbox", () => {
  it("commits the change collectChanges staged on the sandbox branch as codex-relay, the message passed as data", async () => {
    const box = await pool.acquire({ base, branch: "codex/patch-1" });
    await writeFile(path.join(box.dir, "a.txt"), "two\n");
    await writeFile(path.join(box.dir, "new.txt"), "new\n");
    await collectChanges(box.dir, base);
    // written after the check (a verification command's leftover): never committed
    await writeFile(path.join(box.dir, "artifact.txt"), "unchecked\n");
    const sha = await commitSandbox(box.dir, MESSAGE, NOW);
    expect(git(repo, ["rev-parse", "codex/patch-1"]).trim()).toBe(sha);
    expect(git(repo, ["log", "-1", "--format=%B", sha])).toBe(`${MESSAGE}\n`);
    expect(git(repo, ["log", "-1", "--format=%an <%ae>|%cn <%ce>|%aI|%P", sha]).trim()).toBe(
      `codex-relay <codex-relay@localhost>|codex-relay <codex-relay@localhost>|2030-01-02T03:04:05+00:00|${base}`,
    );
    expect(git(repo, ["show", "--name-status", "--format=", sha])).toBe("M\ta.txt\nA\tnew.txt\n");
    expect(await exists(path.join(box.dir, "pwned"))).toBe(false);
    await box.release();
    expect(git(repo, ["rev-parse", "HEAD"]).trim()).toBe(base);
  });

  it("refuses to make an empty commit", async () => {
    const box = await pool.acquire({ base, branch: "codex/patch-1" });
    await expect(commitSandbox(box.dir, "chore: nothing\n", NOW)).rejects.toThrow("there is nothing to commit");
    await box.release();
  });
});

describe("saveFailedWork", () => {
  it("keeps the failed attempt under a ref whose parent is base, moving no branch", async () => {
    const box = await pool.acquire({ base, branch: "codex/patch-1" });
    await writeFile(path.join(box.dir, "a.txt"), "broken\n");
    await writeFile(path.join(box.dir, "extra.txt"), "untracked work\n");
    await collectChanges(box.dir, base);
    const saved = await saveFailedWork(box.dir, base, "refs/codex-relay/failed/7", "codex-relay: failed patch 7\n");
    expect(saved.ref).toBe("refs/codex-relay/failed/7");
    expect(git(repo, ["rev-parse", saved.ref]).trim()).toBe(saved.commit);
    expect(git(repo, ["log", "-1", "--format=%P|%an|%s", saved.commit]).trim()).toBe(`${base}|codex-relay|codex-relay: failed patch 7`);
    expect(git(repo, ["show", `${saved.commit}:extra.txt`])).toBe("untracked work\n");
    expect(git(repo, ["rev-parse", "codex/patch-1"]).trim()).toBe(base);
    expect(git(box.dir, ["rev-parse", "HEAD"]).trim()).toBe(base);
    await box.release();
    expect(await deleteBranch(repo, "codex/patch-1")).toBe(true);
    expect(git(repo, ["show", `${saved.ref}:a.txt`])).toBe("broken\n"); // still recoverable
  });
});

describe("deleteBranch and builderHead", () => {
  it("deletes an unmerged branch, and reports a missing one as not deleted", async () => {
    git(repo, ["branch", "codex/patch-9"]);
    expect(await deleteBranch(repo, "codex/patch-9")).toBe(true);
    expect(await deleteBranch(repo, "codex/patch-9")).toBe(false);
  });

  it("gives the Builder's HEAD and branch, or null on a detached HEAD", async () => {
    expect(await builderHead(repo)).toEqual({ sha: base, branch: "main" });
    git(repo, ["checkout", "-q", "--detach"]);
    expect(await builderHead(repo)).toEqual({ sha: base, branch: null });
  });
});

describe("mergeIntoBuilder", () => {
  async function passingPatch(branch: string, file = "a.txt", content = "patched\n"): Promise<string> {
    const box = await pool.acquire({ base, branch });
    await writeFile(path.join(box.dir, file), content);
    await collectChanges(box.dir, base);
    const sha = await commitSandbox(box.dir, "fix: patch\n", NOW);
    await box.release();
    return sha;
  }
  const merge = (branch: string) =>
    mergeIntoBuilder({ repo, branch, expectedHead: base, message: `Merge ${branch}\n\n# kept\n`, now: NOW });

  it("merges with --no-ff when the Builder's tree is clean and HEAD has not moved", async () => {
    const tip = await passingPatch("codex/patch-1");
    await writeFile(path.join(repo, "debug.log"), "ignored files do not block a merge\n");
    const outcome = await merge("codex/patch-1");
    expect(outcome).toMatchObject({ merged: true });
    expect(outcome.commit).toBe(git(repo, ["rev-parse", "HEAD"]).trim());
    expect(git(repo, ["log", "-1", "--format=%P|%B|%an"]).trim()).toBe(`${base} ${tip}|Merge codex/patch-1\n\n# kept\n|codex-relay`);
    expect(await readFile(path.join(repo, "a.txt"), "utf8")).toBe("patched\n");
    expect(git(repo, ["status", "--porcelain"])).toBe("");
  });

  it("refuses when the Builder has uncommitted or untracked files, and says what to run", async () => {
    await passingPatch("codex/patch-1");
    await writeFile(path.join(repo, "notes.txt"), "untracked\n");
    expect(await merge("codex/patch-1")).toEqual({
      merged: false,
      commit: null,
      reason: "not merged: your checkout has 1 uncommitted or untracked path(s); commit or stash them first; review it, then run `git merge --no-ff codex/patch-1` yourself",
    });
    await rm(path.join(repo, "notes.txt"));
    await writeFile(path.join(repo, "a.txt"), "builder edit\n");
    expect((await merge("codex/patch-1")).merged).toBe(false);
    expect(await readFile(path.join(repo, "a.txt"), "utf8")).toBe("builder edit\n");
    expect(git(repo, ["rev-parse", "HEAD"]).trim()).toBe(base);
  });

  it("refuses when the Builder's HEAD moved or is detached", async () => {
    await passingPatch("codex/patch-1");
    await writeFile(path.join(repo, "src", "b.txt"), "builder moved on\n");
    git(repo, ["commit", "-q", "-am", "builder commit"]);
    const moved = git(repo, ["rev-parse", "HEAD"]).trim();
    const outcome = await merge("codex/patch-1");
    expect(outcome.merged).toBe(false);
    expect(outcome.reason).toContain(`your HEAD moved from ${base.slice(0, 12)} to ${moved.slice(0, 12)}`);
    git(repo, ["checkout", "-q", "--detach", base]);
    expect((await merge("codex/patch-1")).reason).toContain("your HEAD is detached");
    expect(git(repo, ["rev-parse", "HEAD"]).trim()).toBe(base);
  });

  it("aborts a conflicting merge and leaves the Builder's checkout as it was", async () => {
    await passingPatch("codex/patch-1", "a.txt", "theirs\n");
    await passingPatch("codex/patch-2", "a.txt", "mine\n");
    expect((await merge("codex/patch-2")).merged).toBe(true);
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    const outcome = await mergeIntoBuilder({ repo, branch: "codex/patch-1", expectedHead: head, message: "Merge\n", now: NOW });
    expect(outcome).toMatchObject({ merged: false, commit: null });
    expect(outcome.reason).toContain("merging conflicts in a.txt (the merge was aborted");
    expect(git(repo, ["status", "--porcelain"])).toBe("");
    expect(git(repo, ["rev-parse", "HEAD"]).trim()).toBe(head);
    expect(await readFile(path.join(repo, "a.txt"), "utf8")).toBe("mine\n");
  });
});

describe("the Builder's checkout", () => {
  it("is byte-identical after a whole patch (acquire, diff, commit, failed-work ref, release) while dirty", async () => {
    await writeFile(path.join(repo, "a.txt"), "builder's unsaved edit\n");
    await writeFile(path.join(repo, "scratch.txt"), "untracked\n");
    await writeFile(path.join(repo, "src", "b.txt"), "staged edit\n");
    git(repo, ["add", "src/b.txt"]);
    await writeFile(path.join(repo, "src", "b.txt"), "staged, then edited again\n");
    const before = await snapshot(repo);

    const box = await pool.acquire({ base, branch: "codex/patch-1" });
    await writeFile(path.join(box.dir, "a.txt"), "codex\n");
    await writeFile(path.join(box.dir, "codex-new.txt"), "new\n");
    expect((await collectChanges(box.dir, base)).files).toHaveLength(2);
    await saveFailedWork(box.dir, base, "refs/codex-relay/failed/1", "failed\n");
    await commitSandbox(box.dir, "fix: patch\n", NOW);
    await box.release();
    const again = await pool.acquire({ base, branch: "codex/patch-2" });
    await again.release();
    await deleteBranch(repo, "codex/patch-2");

    expect(await snapshot(repo)).toEqual(before);
    expect(before.status).toBe(" M a.txt\nMM src/b.txt\n?? scratch.txt\n");
  });

  it("runs none of the repository's hooks or its fsmonitor (acquire, commit, merge, release)", async () => {
    const canary = path.join(os.tmpdir(), `relay-commit-canary-${process.pid}-${Date.now()}`);
    const script = `#!/bin/sh\necho "$0" >> "${canary}"\n`;
    const hooks = ["post-checkout", "pre-commit", "commit-msg", "post-commit", "pre-merge-commit", "post-merge", "reference-transaction", "post-index-change"];
    for (const hook of hooks) await writeFile(path.join(repo, ".git", "hooks", hook), script, { mode: 0o755 });
    const monitor = path.join(path.dirname(repo), "fsmonitor.sh");
    await writeFile(monitor, script, { mode: 0o755 });
    git(repo, ["config", "core.fsmonitor", monitor]);
    try {
      // Control: plain git, as a user runs it, fires them.
      execFileSync("git", ["status", "--porcelain"], { cwd: repo, env: process.env });
      execFileSync("git", ["commit", "-q", "--allow-empty", "-m", "control"], { cwd: repo, env: { ...process.env, ...identityEnv("B", "b@x") } });
      expect(await readFile(canary, "utf8")).toContain("pre-commit");
      await rm(canary);
      base = git(repo, ["rev-parse", "HEAD"]).trim();

      const box = await pool.acquire({ base, branch: "codex/patch-1" });
      await writeFile(path.join(box.dir, "a.txt"), "patched\n");
      await collectChanges(box.dir, base);
      await commitSandbox(box.dir, "fix: patch\n", NOW);
      await box.release();
      const outcome = await mergeIntoBuilder({ repo, branch: "codex/patch-1", expectedHead: base, message: "Merge\n", now: NOW });
      expect(outcome.merged).toBe(true);
      await deleteBranch(repo, "codex/patch-1");
      expect(await exists(canary)).toBe(false);
    } finally {
      await rm(canary, { force: true });
    }
  });
});

interface Snapshot {
  files: Record<string, string>;
  index: string;
  head: string;
  status: string;
}

async function snapshot(dir: string): Promise<Snapshot> {
  const index = createHash("sha256").update(await readFile(path.join(dir, ".git", "index"))).digest("hex");
  const files: Record<string, string> = {};
  const walk = async (sub: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, sub))).sort()) {
      const rel = path.posix.join(sub, name);
      if (rel === ".git") continue;
      const full = path.join(dir, rel);
      const info = await lstat(full);
      if (info.isDirectory()) await walk(rel);
      else files[rel] = info.isSymbolicLink() ? `-> ${await readlink(full)}` : `${info.mode} ${createHash("sha256").update(await readFile(full)).digest("hex")}`;
    }
  };
  await walk("");
  return { files, index, head: git(dir, ["rev-parse", "HEAD"]).trim(), status: git(dir, ["status", "--porcelain"]) };
}
