// Real git repositories for tests (after changesets' `gitdir`), and git run the two ways tests
// need it: as the relay runs it (hooks and fsmonitor off, see src/git/run-git.ts) for setup and
// assertions, and as a user runs it (everything live) for the control half of a safety test.
import { execFileSync } from "node:child_process";
import { mkdir, realpath } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { GIT_SAFETY_CONFIG } from "../../src/git/run-git.js";
import { testdir, writeFiles, type Files, type TestdirOptions } from "./testdir.js";

export interface Identity {
  name: string;
  email: string;
}

/** Who a test's setup commits are made by. The identity is passed on each call, never written to the repository's config. */
export const TEST_IDENTITY: Identity = { name: "Builder", email: "builder@example.com" };

export interface GitOptions {
  /** The identity commits are made as; false: none (git falls back to its config). Default TEST_IDENTITY. */
  identity?: Identity | false;
  /** Extra environment for this call. */
  env?: Record<string, string>;
}

/** GIT_AUTHOR_* / GIT_COMMITTER_* for a commit made as `name`. */
export function identityEnv(name: string, email: string): Record<string, string> {
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
}

/**
 * git in `cwd` as the relay runs it: hooks, fsmonitor and background maintenance off, no optional
 * locks (a `status` does not rewrite the index). Returns stdout; throws on a non-zero exit.
 * Call it `git(cwd, ["log", "-1"], options)` or `git(cwd, "log", "-1")`.
 */
export function git(cwd: string, args: readonly string[], options?: GitOptions): string;
export function git(cwd: string, ...args: string[]): string;
export function git(cwd: string, ...rest: unknown[]): string {
  const [args, options] = callShape(rest);
  return run(cwd, [...GIT_SAFETY_CONFIG, ...args], options, { GIT_OPTIONAL_LOCKS: "0" });
}

/** git in `cwd` exactly as a user runs it (hooks, fsmonitor and index refresh live): the control of a safety test. */
export function userGit(cwd: string, args: readonly string[], options: GitOptions = {}): string {
  return run(cwd, args, options, {});
}

export interface GitdirOptions extends TestdirOptions {
  /** Files of the first commit (or of the working tree when `commit` is false). */
  files?: Files;
  /** Message of the first commit; false: files written, nothing committed. Default "initial". */
  commit?: string | false;
  /** Default "main". */
  branch?: string;
  /** Make the repository in this folder (created if missing) instead of a new testdir. */
  dir?: string;
}

/** A real git repository: `git init`, `files` written and committed, no identity in its config. */
export async function gitdir(options: GitdirOptions = {}): Promise<string> {
  const dir = options.dir === undefined ? await testdir({}, options) : await made(options.dir);
  git(dir, ["init", "-q", "-b", options.branch ?? "main"]);
  await writeFiles(dir, options.files ?? {});
  if (options.commit !== false) {
    git(dir, ["add", "-A"]);
    git(dir, ["commit", "-q", "--allow-empty", "-m", options.commit ?? "initial"]);
  }
  return dir;
}

/**
 * Registers, for the whole test file, a git that cannot see the machine's identity or settings:
 * an empty HOME and no system config. Returns a getter for the file's temp folder.
 */
export function isolateGitHome(prefix: string): () => string {
  const savedEnv = { ...process.env };
  let root = "";
  beforeAll(async () => {
    root = await testdir({}, { prefix });
    const home = path.join(root, "home");
    await mkdir(home);
    process.env.HOME = home;
    process.env.GIT_CONFIG_NOSYSTEM = "1";
    delete process.env.XDG_CONFIG_HOME;
  });
  afterAll(() => {
    process.env = savedEnv;
  });
  return () => root;
}

function callShape(rest: unknown[]): [readonly string[], GitOptions] {
  if (Array.isArray(rest[0])) return [rest[0] as string[], (rest[1] as GitOptions | undefined) ?? {}];
  return [rest as string[], {}];
}

function run(cwd: string, args: readonly string[], options: GitOptions, extra: Record<string, string>): string {
  const identity = options.identity === undefined ? TEST_IDENTITY : options.identity;
  const env = { ...process.env, ...(identity === false ? {} : identityEnv(identity.name, identity.email)), ...extra, ...options.env };
  return execFileSync("git", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

async function made(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return realpath(dir);
}
