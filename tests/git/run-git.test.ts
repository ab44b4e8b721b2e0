import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
// Plain git, as a user would run it: hooks and fsmonitor active.
import { gitdir, identityEnv, isolateGitHome, userGit as plainGit } from "../helpers/gitdir.js";
import { testdir } from "../helpers/testdir.js";
import { RelayError } from "../../src/errors.js";
import { gitTopLevel, runGit } from "../../src/git/run-git.js";

const IDENTITY_ENV = identityEnv("Test", "test@example.com");
const rootDir = isolateGitHome("relay-run-git-");

let repo: string;
beforeEach(async () => {
  repo = await gitdir({ parent: rootDir(), prefix: "repo-", files: { "a.txt": "one\n" }, commit: "first" });
});

async function installCanaryHook(name: string, canary: string): Promise<string> {
  const file = path.join(repo, ".git", "hooks", name);
  await writeFile(file, `#!/bin/sh\ntouch "${canary}"\nexit 1\n`);
  await chmod(file, 0o755);
  return file;
}

const exists = (file: string) => readFile(file).then(() => true, () => false);

describe("runGit", () => {
  it("returns git's stdout byte-exact, trailing newline kept", async () => {
    const result = await runGit(["show", "HEAD:a.txt"], { cwd: repo });
    expect(result).toEqual({ stdout: "one\n", stderr: "", exitCode: 0 });
  });

  it("feeds `input` to stdin", async () => {
    const { stdout } = await runGit(["hash-object", "--stdin"], { cwd: repo, input: Buffer.from("hello\n") });
    expect(stdout.trim()).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
  });

  it("throws a RelayError naming the command, the directory and git's complaint", async () => {
    const error = await runGit(["rev-parse", "--verify", "no-such-branch"], { cwd: repo }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayError);
    expect((error as RelayError).code).toBe("internal_error");
    expect((error as RelayError).message).toBe(
      `git rev-parse --verify no-such-branch failed in ${repo}: fatal: Needed a single revision`,
    );
  });

  it("returns a non-zero exit as a result with allowFailure", async () => {
    const result = await runGit(["rev-parse", "--verify", "--quiet", "nope"], { cwd: repo, allowFailure: true });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
  });

  it("throws even with allowFailure when git cannot start in the directory", async () => {
    const missing = path.join(rootDir(), "does-not-exist");
    await expect(runGit(["status"], { cwd: missing, allowFailure: true })).rejects.toThrow(
      `git status failed in ${missing}`,
    );
  });

  it("never runs the repository's hooks", async () => {
    const canary = path.join(rootDir(), `hook-canary-${path.basename(repo)}`);
    await installCanaryHook("pre-commit", canary);
    await installCanaryHook("reference-transaction", canary);
    await writeFile(path.join(repo, "a.txt"), "two\n");

    // Control: the same commit through plain git is stopped by the hook.
    expect(() => plainGit(repo, ["commit", "-q", "-am", "blocked"], {})).toThrow();
    expect(await exists(canary)).toBe(true);
    await rm(canary);

    await runGit(["commit", "-q", "-am", "second"], { cwd: repo, env: IDENTITY_ENV });
    expect(await exists(canary)).toBe(false);
    expect((await runGit(["log", "-1", "--format=%s"], { cwd: repo })).stdout).toBe("second\n");
  });

  it("never runs a core.fsmonitor hook", async () => {
    const canary = path.join(rootDir(), `fsmonitor-canary-${path.basename(repo)}`);
    const script = path.join(rootDir(), `fsmonitor-${path.basename(repo)}.sh`);
    await writeFile(script, `#!/bin/sh\ntouch "${canary}"\nexit 1\n`);
    await chmod(script, 0o755);
    plainGit(repo, ["config", "core.fsmonitor", script]);

    plainGit(repo, ["status", "--porcelain"]); // control: plain git does call it
    expect(await exists(canary)).toBe(true);
    await rm(canary);

    await runGit(["status", "--porcelain"], { cwd: repo });
    expect(await exists(canary)).toBe(false);
  });

  it("leaves the index file alone on `status` even when its stat data is stale", async () => {
    const indexPath = path.join(repo, ".git", "index");
    const sha = async () => createHash("sha256").update(await readFile(indexPath)).digest("hex");
    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(repo, "a.txt"), later, later); // content unchanged, stat changed
    const before = await sha();

    const { stdout } = await runGit(["status", "--porcelain"], { cwd: repo });
    expect(stdout).toBe("");
    expect(await sha()).toBe(before);
    plainGit(repo, ["status", "--porcelain"]); // control: plain git refreshes and rewrites it
    expect(await sha()).not.toBe(before);
  });

  it("ignores GIT_DIR / GIT_WORK_TREE / GIT_INDEX_FILE inherited from the parent", async () => {
    const other = await gitdir({ parent: rootDir(), prefix: "other-", commit: false });
    process.env.GIT_DIR = path.join(other, ".git");
    process.env.GIT_WORK_TREE = other;
    process.env.GIT_INDEX_FILE = path.join(other, ".git", "index");
    try {
      expect(await gitTopLevel(repo)).toBe(repo);
      expect((await runGit(["show", "HEAD:a.txt"], { cwd: repo })).stdout).toBe("one\n");
    } finally {
      delete process.env.GIT_DIR;
      delete process.env.GIT_WORK_TREE;
      delete process.env.GIT_INDEX_FILE;
    }
  });

  it("honours GIT_INDEX_FILE passed in options.env", async () => {
    const privateIndex = path.join(repo, ".git", "private.index");
    await runGit(["read-tree", "--empty"], { cwd: repo, env: { GIT_INDEX_FILE: privateIndex } });
    expect(await exists(privateIndex)).toBe(true);
    expect((await runGit(["ls-files"], { cwd: repo, env: { GIT_INDEX_FILE: privateIndex } })).stdout).toBe("");
    expect((await runGit(["ls-files"], { cwd: repo })).stdout).toBe("a.txt\n");
  });
});

describe("gitTopLevel", () => {
  it("finds the work tree root from a subfolder", async () => {
    const sub = path.join(repo, "src", "deep");
    await mkdir(sub, { recursive: true });
    expect(await gitTopLevel(sub)).toBe(repo);
  });

  it("is undefined outside a repository", async () => {
    const plain = await testdir({}, { parent: rootDir(), prefix: "plain-" });
    expect(await gitTopLevel(plain)).toBeUndefined();
  });
});
