// Issue #3's sandbox figures on a generated repository of 20,000 files (~100 MB): a cold sandbox
// worktree, a warm one from the pool for each new patch (base moving by one small commit each
// time), and — in the same run, in a separate clone — the seed's approach of switching the
// Builder's own tree (`git stash -u` + `checkout -b`, then `checkout -` + `stash pop`).
// Prints nothing; returns rows for bench/run.ts. Every git call goes through runGit (hooks off)
// for both sides, so they pay the same process start-up.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { runGit } from "../src/git/run-git.js";
import { deleteBranch } from "../src/patch/sandbox-commit.js";
import type { CommandRun } from "../src/protocol/patch-run.js";
import { createWorktreePool } from "../src/patch/worktree-pool.js";
import { median, type Row } from "./bench-kit.js";

const CYCLES = Number(process.env.BENCH_POOL_N ?? 15);
const DIRS = 200;
const FILES_PER_DIR = 100;
const FILE_BYTES = 5 * 1024;
/** The author and committer of every bench commit (the bench's own commits, not the daemon's). */
export const IDENTITY = {
  GIT_AUTHOR_NAME: "Bench", GIT_AUTHOR_EMAIL: "bench@localhost",
  GIT_COMMITTER_NAME: "Bench", GIT_COMMITTER_EMAIL: "bench@localhost",
};


export async function benchPatchPool(): Promise<Row[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-pool-"));
  try {
    const repo = path.join(work, "repo");
    const bytes = await generateRepository(repo);
    const git = (cwd: string, args: string[]) => runGit(args, { cwd, env: IDENTITY, timeoutMs: 600_000 });
    const head = async () => (await git(repo, ["rev-parse", "HEAD"])).stdout.trim();

    // The pool, with a setup step so the lock-file check is part of every warm preparation.
    const setup = async (dir: string): Promise<CommandRun> => {
      await mkdir(path.join(dir, "node_modules"), { recursive: true });
      await writeFile(path.join(dir, "node_modules", ".installed"), "bench\n");
      return { command: "bench setup", argv: ["bench", "setup"], status: "pass", exitCode: 0, durationMs: 0, outputTail: "" };
    };
    const pool = createWorktreePool({ repo, root: path.join(work, "pool"), size: 1, setup, setupKey: "bench setup" });
    let started = performance.now();
    const cold = await pool.acquire({ base: await head(), branch: "codex/patch-0" });
    const coldMs = performance.now() - started;
    await cold.release();
    await deleteBranch(repo, "codex/patch-0");

    const warm: number[] = [];
    const released: number[] = [];
    for (let i = 1; i <= CYCLES; i += 1) {
      await smallCommit(repo, i, git);
      started = performance.now();
      const box = await pool.acquire({ base: await head(), branch: `codex/patch-${i}` });
      warm.push(performance.now() - started);
      await writeFile(path.join(box.dir, `d${i % DIRS}`, "f0.txt"), `patched by cycle ${i}\n`);
      started = performance.now();
      await box.release();
      released.push(performance.now() - started);
      await deleteBranch(repo, `codex/patch-${i}`);
    }

    // The seed's approach, in a clone standing in for the Builder's checkout.
    const clone = path.join(work, "clone");
    await git(work, ["clone", "--quiet", repo, clone]);
    const switched: number[] = [];
    const restored: number[] = [];
    for (let i = 1; i <= CYCLES; i += 1) {
      for (let f = 0; f < 3; f += 1) await writeFile(path.join(clone, `d${(i * 7 + f) % DIRS}`, `f${f}.txt`), `builder's work in progress ${i}\n`);
      await writeFile(path.join(clone, `builder-notes-${i}.txt`), "untracked\n");
      started = performance.now();
      await git(clone, ["stash", "push", "--quiet", "--include-untracked"]);
      await git(clone, ["checkout", "--quiet", "-b", `codex/micro-${i}`]);
      switched.push(performance.now() - started);
      started = performance.now();
      await git(clone, ["checkout", "--quiet", "-"]);
      await git(clone, ["stash", "pop", "--quiet"]);
      restored.push(performance.now() - started);
    }

    const files = DIRS * FILES_PER_DIR;
    const warmMs = median(warm);
    return [
      { metric: `sandbox cold creation (${files.toLocaleString("en")} files, ${Math.round(bytes / 1e6)} MB)`, value: `${Math.round(coldMs)} ms`, target: "" },
      { metric: `sandbox warm preparation median (n=${CYCLES})`, value: `${Math.round(warmMs)} ms`, target: "≤ 250 ms" },
      { metric: "sandbox release median", value: `${Math.round(median(released))} ms`, target: "" },
      { metric: "seed: stash -u + checkout -b median", value: `${Math.round(median(switched))} ms`, target: "" },
      { metric: "seed: checkout - + stash pop median", value: `${Math.round(median(restored))} ms`, target: "" },
      { metric: "warm sandbox / seed stash + checkout", value: (warmMs / median(switched)).toFixed(2), target: "≤ 1.00" },
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** 200 folders × 100 text files of ~5 KB, a lock file and a .gitignore, committed; returns the bytes written. */
export async function generateRepository(repo: string): Promise<number> {
  await mkdir(repo, { recursive: true });
  let seed = 0x2545f491;
  const random = () => {
    // xorshift32: fast, and varied enough that git cannot dedupe the files.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const words = Array.from({ length: 2000 }, () => Math.floor(random() * 0xffffff).toString(36));
  const lines = Array.from({ length: 4000 }, () => Array.from({ length: 8 + Math.floor(random() * 8) }, () => words[Math.floor(random() * words.length)]).join(" "));
  let bytes = 0;
  for (let d = 0; d < DIRS; d += 1) {
    await mkdir(path.join(repo, `d${d}`));
    await Promise.all(
      Array.from({ length: FILES_PER_DIR }, (_, f) => {
        let text = `// file ${d}/${f}\n`;
        while (text.length < FILE_BYTES) text += `${lines[Math.floor(random() * lines.length)]}\n`;
        bytes += text.length;
        return writeFile(path.join(repo, `d${d}`, `f${f}.txt`), text);
      }),
    );
  }
  await writeFile(path.join(repo, ".gitignore"), "node_modules/\n");
  await writeFile(path.join(repo, "package-lock.json"), '{ "lockfileVersion": 3 }\n');
  const env = IDENTITY;
  await runGit(["init", "--quiet", "-b", "main"], { cwd: repo });
  await runGit(["add", "--all"], { cwd: repo, timeoutMs: 600_000 });
  await runGit(["commit", "--quiet", "--no-verify", "-m", "generated"], { cwd: repo, env, timeoutMs: 600_000 });
  return bytes;
}

/** One small commit on the Builder's branch: three files change. */
async function smallCommit(repo: string, i: number, git: (cwd: string, args: string[]) => Promise<unknown>): Promise<void> {
  const changed = [0, 1, 2].map((k) => `d${(i * 13 + k * 61) % DIRS}/f${(i + k) % FILES_PER_DIR}.txt`);
  for (const file of changed) await writeFile(path.join(repo, file), `changed in cycle ${i}\n`);
  await git(repo, ["add", "--", ...changed]);
  await git(repo, ["commit", "--quiet", "--no-verify", "-m", `cycle ${i}`]);
}

