import { spawn, spawnSync } from "node:child_process";
import { mkdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
// Plain git, as a user would run it.
import { gitdir, isolateGitHome, userGit as git } from "../helpers/gitdir.js";
import { testdir } from "../helpers/testdir.js";
import { RelayError } from "../../src/errors.js";
import type { CommandRun } from "../../src/protocol/patch-run.js";
import { createWorktreePool, defaultWorktreeRoot, removeWorktree } from "../../src/patch/worktree-pool.js";

const rootDir = isolateGitHome("relay-pool-");
const exists = (file: string) => readFile(file).then(() => true, () => false);

let repo: string;
let poolRoot: string;
beforeEach(async () => {
  const dir = await testdir({}, { parent: rootDir(), prefix: "case-" });
  poolRoot = path.join(dir, "pool");
  repo = await gitdir({
    dir: path.join(dir, "repo"),
    files: { ".gitignore": "node_modules/\n", "a.txt": "one\n", "src/b.txt": "bee\n", "package-lock.json": '{"lockfileVersion":3}\n' },
    commit: "first",
  });
});

async function commitInBuilder(file: string, content: string): Promise<string> {
  await writeFile(path.join(repo, file), content);
  git(repo, ["add", file]);
  git(repo, ["commit", "-q", "-m", `change ${file}`]);
  return git(repo, ["rev-parse", "HEAD"]).trim();
}
const head = () => git(repo, ["rev-parse", "HEAD"]).trim();

function passingSetup(log: string[]): (dir: string) => Promise<CommandRun> {
  return async (dir) => {
    log.push(dir);
    await mkdir(path.join(dir, "node_modules"), { recursive: true });
    await writeFile(path.join(dir, "node_modules", "installed"), `${log.length}\n`);
    return { command: "npm ci", argv: ["npm", "ci"], status: "pass", exitCode: 0, durationMs: 1, outputTail: "" };
  };
}

describe("defaultWorktreeRoot", () => {
  it("puts the pool under XDG_STATE_HOME, named after the workspace and a hash of its real path", async () => {
    const root = defaultWorktreeRoot(repo, { XDG_STATE_HOME: "/state", HOME: "/home/u" });
    expect(root).toMatch(new RegExp(`^/state/codex-relay/worktrees/repo-[0-9a-f]{10}$`));
    expect(defaultWorktreeRoot(repo, { HOME: "/home/u" })).toBe(root.replace("/state", "/home/u/.local/state"));
    expect(defaultWorktreeRoot(path.join(repo, "."), { XDG_STATE_HOME: "/state" })).toBe(root);
  });

  it("never returns a folder inside the workspace, even when HOME is the workspace", () => {
    const root = defaultWorktreeRoot(repo, { HOME: repo });
    expect(path.relative(repo, root).startsWith("..")).toBe(true);
  });
});

describe("createWorktreePool", () => {
  it("refuses a pool root inside the workspace", () => {
    expect(() => createWorktreePool({ repo, root: path.join(repo, ".pool"), size: 1 })).toThrow(RelayError);
  });

  it("creates a slot cold: a worktree of the repository on the new branch at base", async () => {
    const pool = createWorktreePool({ repo, root: poolRoot, size: 2 });
    const box = await pool.acquire({ base: head(), branch: "codex/patch-1" });
    expect(box).toMatchObject({ dir: path.join(poolRoot, "slot-0"), slot: 0, base: head(), branch: "codex/patch-1", cold: true, setup: null });
    expect(box.prepareMs).toBeGreaterThanOrEqual(0);
    expect(await readFile(path.join(box.dir, "src", "b.txt"), "utf8")).toBe("bee\n");
    expect(git(box.dir, ["symbolic-ref", "HEAD"]).trim()).toBe("refs/heads/codex/patch-1");
    expect(git(box.dir, ["rev-parse", "HEAD"]).trim()).toBe(head());
    expect(git(repo, ["worktree", "list", "--porcelain"])).toContain(`worktree ${await realpath(box.dir)}\n`);
    expect(git(repo, ["status", "--porcelain"])).toBe("");
    await box.release();
  });

  it("reuses a slot warm: resets changes, removes untracked files, keeps ignored ones", async () => {
    const pool = createWorktreePool({ repo, root: poolRoot, size: 1 });
    const first = await pool.acquire({ base: head(), branch: "codex/patch-1" });
    await mkdir(path.join(first.dir, "node_modules"));
    await writeFile(path.join(first.dir, "node_modules", "marker"), "kept\n");
    await writeFile(path.join(first.dir, "a.txt"), "changed by the patch\n");
    await rm(path.join(first.dir, "src", "b.txt"));
    await mkdir(path.join(first.dir, "new-dir"));
    await writeFile(path.join(first.dir, "new-dir", "untracked.txt"), "x\n");
    await writeFile(path.join(first.dir, "staged.txt"), "s\n");
    git(first.dir, ["add", "staged.txt"]);
    await first.release();

    const base = await commitInBuilder("a.txt", "two\n");
    const second = await pool.acquire({ base, branch: "codex/patch-2" });
    expect(second.cold).toBe(false);
    expect(second.dir).toBe(first.dir);
    expect(await readFile(path.join(second.dir, "node_modules", "marker"), "utf8")).toBe("kept\n");
    expect(await readFile(path.join(second.dir, "a.txt"), "utf8")).toBe("two\n");
    expect(await readFile(path.join(second.dir, "src", "b.txt"), "utf8")).toBe("bee\n");
    expect(await exists(path.join(second.dir, "new-dir", "untracked.txt"))).toBe(false);
    expect(await exists(path.join(second.dir, "staged.txt"))).toBe(false);
    expect(git(second.dir, ["status", "--porcelain"])).toBe("");
    expect(git(second.dir, ["symbolic-ref", "HEAD"]).trim()).toBe("refs/heads/codex/patch-2");
    expect(git(second.dir, ["rev-parse", "HEAD"]).trim()).toBe(base);
    await second.release();
  });

  it("leaves a released slot detached, so the Builder can check out or delete the branch", async () => {
    const pool = createWorktreePool({ repo, root: poolRoot, size: 1 });
    const box = await pool.acquire({ base: head(), branch: "codex/patch-1" });
    await writeFile(path.join(box.dir, "a.txt"), "dirty\n");
    await box.release();
    await box.release(); // twice is harmless
    expect(() => git(box.dir, ["symbolic-ref", "-q", "HEAD"])).toThrow();
    expect(git(box.dir, ["status", "--porcelain"])).toBe("");
    git(repo, ["checkout", "-q", "codex/patch-1"]);
    git(repo, ["checkout", "-q", "main"]);
    git(repo, ["branch", "-D", "codex/patch-1"]);
    expect(git(repo, ["branch", "--list", "codex/*"])).toBe("");
  });

  it("runs setup when a slot is new, then again only when a lock file changes", async () => {
    const runs: string[] = [];
    const pool = createWorktreePool({ repo, root: poolRoot, size: 1, setup: passingSetup(runs), setupKey: "npm ci" });
    const cycle = async (n: number, base: string) => {
      const box = await pool.acquire({ base, branch: `codex/patch-${n}` });
      await box.release();
      return box;
    };
    const first = await cycle(1, head());
    expect(first.setup).toMatchObject({ command: "npm ci", status: "pass" });
    expect(JSON.parse(await readFile(path.join(poolRoot, "slot-0.setup.json"), "utf8"))).toMatchObject({ argv: ["npm", "ci"] });
    expect((await cycle(2, head())).setup).toBeNull();
    expect((await cycle(3, await commitInBuilder("a.txt", "source change\n"))).setup).toBeNull();
    expect(runs).toHaveLength(1);

    const afterLock = await cycle(4, await commitInBuilder("package-lock.json", '{"lockfileVersion":3,"packages":{}}\n'));
    expect(afterLock.setup).toMatchObject({ status: "pass" });
    expect(await readFile(path.join(afterLock.dir, "node_modules", "installed"), "utf8")).toBe("2\n");
    expect((await cycle(5, await commitInBuilder("a.txt", "again\n"))).setup).toBeNull();
    expect(runs).toHaveLength(2);

    // A different setup command makes every slot's install stale.
    const other = createWorktreePool({ repo, root: poolRoot, size: 1, setup: passingSetup(runs), setupKey: "pnpm install" });
    const box = await other.acquire({ base: head(), branch: "codex/patch-6" });
    expect(box.setup).toMatchObject({ status: "pass" });
    await box.release();
  });

  it("returns a failed setup and runs it again on the next acquire", async () => {
    let calls = 0;
    const setup = async (): Promise<CommandRun> => {
      calls += 1;
      const ok = calls > 1;
      return { command: "npm ci", argv: ["npm", "ci"], status: ok ? "pass" : "fail", exitCode: ok ? 0 : 1, durationMs: 1, outputTail: ok ? "" : "npm ERR!" };
    };
    const pool = createWorktreePool({ repo, root: poolRoot, size: 1, setup });
    const first = await pool.acquire({ base: head(), branch: "codex/patch-1" });
    expect(first.setup).toMatchObject({ status: "fail", outputTail: "npm ERR!" });
    await first.release();
    expect(await exists(path.join(poolRoot, "slot-0.setup.json"))).toBe(false);
    const second = await pool.acquire({ base: head(), branch: "codex/patch-2" });
    expect(second).toMatchObject({ cold: false, setup: { status: "pass" } });
    await second.release();
    const third = await pool.acquire({ base: head(), branch: "codex/patch-3" });
    expect(third.setup).toBeNull();
    await third.release();
  });

  it("serializes two acquires on a pool of one slot", async () => {
    const pool = createWorktreePool({ repo, root: poolRoot, size: 1 });
    const events: string[] = [];
    const first = await pool.acquire({ base: head(), branch: "codex/patch-1" });
    events.push("first acquired");
    const pending = pool.acquire({ base: head(), branch: "codex/patch-2" }).then((box) => {
      events.push("second acquired");
      return box;
    });
    await delay(400); // longer than a lease poll: the second must still be waiting
    events.push("first released");
    await first.release();
    const second = await pending;
    expect(events).toEqual(["first acquired", "first released", "second acquired"]);
    expect(second.dir).toBe(first.dir);
    await second.release();
  });

  it("gives concurrent patches different slots when the pool has room", async () => {
    const pool = createWorktreePool({ repo, root: poolRoot, size: 2 });
    const [a, b] = await Promise.all([
      pool.acquire({ base: head(), branch: "codex/patch-1" }),
      pool.acquire({ base: head(), branch: "codex/patch-2" }),
    ]);
    expect(new Set([a.dir, b.dir]).size).toBe(2);
    expect(await readFile(path.join(poolRoot, `slot-${a.slot}.lease`), "utf8")).toContain(`"pid":${process.pid}`);
    await Promise.all([a.release(), b.release()]);
    expect(await exists(path.join(poolRoot, "slot-0.lease"))).toBe(false);
  });

  it("warms a slot ahead of any patch: checked out and set up, then free, so the next acquire finds it warm", async () => {
    const runs: string[] = [];
    const pool = createWorktreePool({ repo, root: poolRoot, size: 2, setup: passingSetup(runs), setupKey: "npm ci" });
    const warmed = await pool.warm({ base: head() });
    expect(warmed).toMatchObject({ slot: 0, cold: true, setup: { status: "pass" } });
    expect(git(path.join(poolRoot, "slot-0"), ["status", "--porcelain", "--branch"])).toBe("## HEAD (no branch)\n"); // detached, clean
    expect(await exists(path.join(poolRoot, "slot-0.lease"))).toBe(false);
    const box = await pool.acquire({ base: head(), branch: "codex/patch-1" });
    expect(box).toMatchObject({ slot: 0, cold: false, setup: null });
    expect(runs).toHaveLength(1);
    await box.release();
  });

  it("makes an acquire that arrives while a slot warms wait for that slot instead of building another", async () => {
    const pool = createWorktreePool({ repo, root: poolRoot, size: 2 });
    const warming = pool.warm({ base: head() });
    const box = await pool.acquire({ base: head(), branch: "codex/patch-1" });
    expect(await warming).toMatchObject({ slot: 0, cold: true });
    expect(box).toMatchObject({ slot: 0, cold: false });
    expect(await exists(path.join(poolRoot, "slot-1"))).toBe(false);
    expect(await pool.warm({ base: head() })).toMatchObject({ slot: 1, cold: true }); // slot 0 is taken: the next free one
    await box.release();
  });

  it("stops waiting when the signal aborts", async () => {
    const pool = createWorktreePool({ repo, root: poolRoot, size: 1 });
    const held = await pool.acquire({ base: head(), branch: "codex/patch-1" });
    const controller = new AbortController();
    const waiting = pool.acquire({ base: head(), branch: "codex/patch-2", signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: "cancelled" });
    await held.release();
  });

  it("frees the slot when the base does not exist", async () => {
    const pool = createWorktreePool({ repo, root: poolRoot, size: 1 });
    await expect(pool.acquire({ base: "0123456789abcdef0123456789abcdef01234567", branch: "codex/patch-1" })).rejects.toThrow(
      "The base commit 0123456789abcdef0123456789abcdef01234567 does not exist",
    );
    const box = await pool.acquire({ base: head(), branch: "codex/patch-2" });
    expect(box.slot).toBe(0);
    await box.release();
  });

  it("recovers a slot left dirty and leased by a daemon that was killed mid-patch", async () => {
    const pool = createWorktreePool({ repo, root: poolRoot, size: 1 });
    const box = await pool.acquire({ base: head(), branch: "codex/patch-1" });
    await writeFile(path.join(box.dir, "a.txt"), "half-written\n");
    await writeFile(path.join(box.dir, "scratch.txt"), "left over\n");
    await writeFile(path.join(box.dir, "src", "b.txt"), "staged\n");
    git(box.dir, ["add", "src/b.txt"]);
    const gitDir = git(box.dir, ["rev-parse", "--absolute-git-dir"]).trim();
    await writeFile(path.join(gitDir, "index.lock"), ""); // killed inside a git command
    // The daemon died without releasing: its lease names a process that no longer exists.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    await writeFile(path.join(poolRoot, "slot-0.lease"), `${JSON.stringify({ pid: dead, token: "old", start: "1" })}\n`);

    const restarted = createWorktreePool({ repo, root: poolRoot, size: 1 });
    const base = await commitInBuilder("src/b.txt", "next\n");
    const again = await restarted.acquire({ base, branch: "codex/patch-2" });
    expect(again).toMatchObject({ dir: box.dir, cold: false });
    expect(git(again.dir, ["status", "--porcelain"])).toBe("");
    expect(await readFile(path.join(again.dir, "a.txt"), "utf8")).toBe("one\n");
    expect(await readFile(path.join(again.dir, "src", "b.txt"), "utf8")).toBe("next\n");
    expect(await exists(path.join(again.dir, "scratch.txt"))).toBe(false);
    expect(git(again.dir, ["symbolic-ref", "HEAD"]).trim()).toBe("refs/heads/codex/patch-2");
    await again.release();
  });

  it("waits for a slot leased by another live process, and takes it once that process is gone", async () => {
    const other = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      await mkdir(poolRoot, { recursive: true });
      await writeFile(path.join(poolRoot, "slot-0.lease"), `${JSON.stringify({ pid: other.pid })}\n`);
      const pool = createWorktreePool({ repo, root: poolRoot, size: 1 });
      let acquired = false;
      const pending = pool.acquire({ base: head(), branch: "codex/patch-1" }).then((box) => {
        acquired = true;
        return box;
      });
      await delay(700);
      expect(acquired).toBe(false);
      other.kill("SIGKILL");
      const box = await pending;
      expect(box.slot).toBe(0);
      expect(await readFile(path.join(poolRoot, "slot-0.lease"), "utf8")).toContain(`"pid":${process.pid}`);
      await box.release();
    } finally {
      other.kill("SIGKILL");
    }
  });

  it("rebuilds a slot that is not a worktree of this repository", async () => {
    const stranger = path.join(rootDir(), `stranger-${path.basename(path.dirname(repo))}`);
    git(rootDir(), ["init", "-q", stranger]);
    git(stranger, ["commit", "-q", "--allow-empty", "-m", "stranger"]);
    await mkdir(poolRoot, { recursive: true });
    git(stranger, ["worktree", "add", "-q", "--detach", path.join(poolRoot, "slot-0")]);
    await mkdir(path.join(poolRoot, "slot-1", "junk"), { recursive: true });
    const pool = createWorktreePool({ repo, root: poolRoot, size: 2 });
    const [a, b] = await Promise.all([
      pool.acquire({ base: head(), branch: "codex/patch-1" }),
      pool.acquire({ base: head(), branch: "codex/patch-2" }),
    ]);
    expect([a.cold, b.cold]).toEqual([true, true]);
    for (const box of [a, b]) {
      expect(await readFile(path.join(box.dir, "a.txt"), "utf8")).toBe("one\n");
      expect(await exists(path.join(box.dir, "junk"))).toBe(false);
      await box.release();
    }
  });

  it("builds many cold slots at once: git never sees a worktree half-registered", async () => {
    // Concurrent `git worktree add` in one repository fails on a neighbour still being added
    // ("failed to read .git/worktrees/slot-0/commondir"), so several rounds give the race its chance.
    for (let round = 0; round < 8; round += 1) {
      const dir = await testdir({}, { parent: rootDir(), prefix: "burst-" });
      const builder = await gitdir({ dir: path.join(dir, "repo"), files: { "a.txt": "one\n" }, commit: "first" });
      const pool = createWorktreePool({ repo: builder, root: path.join(dir, "pool"), size: 6 });
      const base = git(builder, ["rev-parse", "HEAD"]).trim();
      const boxes = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => pool.acquire({ base, branch: `codex/patch-${i}` })));
      expect(boxes.map((box) => box.slot).sort()).toEqual([0, 1, 2, 3, 4, 5]);
      for (const box of boxes) {
        expect(await readFile(path.join(box.dir, "a.txt"), "utf8")).toBe("one\n");
        await box.release();
      }
    }
  });

  it("rebuilds a slot whose folder was deleted, and removeWorktree unregisters a slot", async () => {
    const pool = createWorktreePool({ repo, root: poolRoot, size: 1 });
    const box = await pool.acquire({ base: head(), branch: "codex/patch-1" });
    await box.release();
    await rm(box.dir, { recursive: true, force: true });
    const again = await pool.acquire({ base: head(), branch: "codex/patch-2" });
    expect(again.cold).toBe(true);
    await again.release();
    await removeWorktree(repo, again.dir);
    expect(await exists(path.join(again.dir, "a.txt"))).toBe(false);
    expect(git(repo, ["worktree", "list", "--porcelain"])).not.toContain("slot-0");
  });

  it("never runs the repository's hooks or fsmonitor while preparing and releasing", async () => {
    const canary = path.join(os.tmpdir(), `relay-pool-canary-${process.pid}-${Date.now()}`);
    const script = `#!/bin/sh\necho "$0" >> "${canary}"\n`;
    for (const hook of ["post-checkout", "reference-transaction", "post-index-change"]) {
      await writeFile(path.join(repo, ".git", "hooks", hook), script, { mode: 0o755 });
    }
    const monitor = path.join(rootDir(), `fsmonitor-${path.basename(path.dirname(repo))}.sh`);
    await writeFile(monitor, script, { mode: 0o755 });
    git(repo, ["config", "core.fsmonitor", monitor]);
    try {
      // Control: plain git runs them.
      git(repo, ["checkout", "-q", "-b", "control"]);
      expect(await exists(canary)).toBe(true);
      git(repo, ["checkout", "-q", "main"]);
      await rm(canary);

      const pool = createWorktreePool({ repo, root: poolRoot, size: 1 });
      const first = await pool.acquire({ base: head(), branch: "codex/patch-1" });
      await writeFile(path.join(first.dir, "a.txt"), "dirty\n");
      await first.release();
      const second = await pool.acquire({ base: await commitInBuilderQuietly("a.txt", "two\n"), branch: "codex/patch-2" });
      await second.release();
      expect(await exists(canary)).toBe(false);
    } finally {
      await rm(canary, { force: true });
    }
  });
});

/** A Builder commit made with hooks off, so the canary test only sees what the pool does. */
async function commitInBuilderQuietly(file: string, content: string): Promise<string> {
  await writeFile(path.join(repo, file), content);
  const quiet = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false"];
  git(repo, [...quiet, "add", file]);
  git(repo, [...quiet, "commit", "-q", "-m", `change ${file}`]);
  return git(repo, ["-c", "core.fsmonitor=false", "rev-parse", "HEAD"]).trim();
}

