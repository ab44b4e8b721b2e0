// The one way codex-relay runs git: an argv array through node:child_process (never a shell),
// with the repository's hooks and fsmonitor switched off and an environment that cannot redirect
// git. Not execa: git needs no process group, no line splitting and no termination ladder, and
// execa's per-call cost (4.4–4.6 ms of the daemon's CPU against 1–1.5 ms here, measured over 60
// `git rev-parse` calls) was most of what an audit commit's git runs (seven then, three now) cost the daemon.
// Not simple-git (README, Dependencies): the audit plumbing feeds git's stdin, which it cannot, and
// one runner keeps the safety config and the environment scrubbing in one place.
import { spawn } from "node:child_process";
import { RelayError } from "../errors.js";

export interface RunGitOptions {
  cwd: string;
  /** Extra environment for this call; wins over the inherited one (may set GIT_INDEX_FILE etc.). */
  env?: Record<string, string>;
  /** Data for git's stdin (commit messages, blobs); stdin is closed when absent. */
  input?: string | Buffer;
  /** Return a non-zero exit as a result instead of throwing (spawn errors and timeouts still throw). */
  allowFailure?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface GitResult {
  /** Raw output, trailing newline kept (diffs and blobs must stay byte-exact); trim it yourself. */
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Prepended to every call: no hooks, no fsmonitor daemon, no background maintenance. */
export const GIT_SAFETY_CONFIG: readonly string[] = [
  "-c", "core.hooksPath=/dev/null",
  "-c", "core.fsmonitor=false",
  "-c", "core.untrackedCache=false",
  "-c", "maintenance.auto=false",
  "-c", "gc.auto=0",
];

// Variables that point git at another repository, index or object store. A daemon started from
// a git hook (or an editor's terminal inside one) would otherwise write to the wrong place.
const REDIRECTING_ENV = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_COMMON_DIR",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_NAMESPACE",
  "GIT_PREFIX",
  "GIT_QUARANTINE_PATH",
];

const DEFAULT_TIMEOUT_MS = 300_000;
const STDERR_TAIL_CHARS = 600;

export async function runGit(args: readonly string[], options: RunGitOptions): Promise<GitResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ran = await spawnGit([...GIT_SAFETY_CONFIG, ...args], options, timeoutMs);
  const { stdout, stderr, exitCode } = ran;
  if (exitCode === 0 && !ran.error) return { stdout, stderr, exitCode };
  if (exitCode !== null && options.allowFailure === true && !ran.timedOut && !ran.cancelled && !ran.error) {
    return { stdout, stderr, exitCode };
  }
  const why = ran.timedOut
    ? `timed out after ${timeoutMs} ms`
    : ran.cancelled
      ? "cancelled"
      : ran.error
        ? ran.error.message
        : exitCode === null
          ? `killed by ${ran.signal ?? "a signal"}`
          : tail(stderr) || `exit code ${exitCode}`;
  throw new RelayError("internal_error", `git ${args.join(" ")} failed in ${options.cwd}: ${why}`, { cause: ran.error ?? ran });
}

interface SpawnedGit {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  error?: Error;
}

function spawnGit(argv: readonly string[], options: RunGitOptions, timeoutMs: number): Promise<SpawnedGit> {
  return new Promise((resolve) => {
    const child = spawn("git", argv, {
      cwd: options.cwd,
      env: gitEnv(options.env),
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let cancelled = false;
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    const onAbort = (): void => {
      cancelled = true;
      child.kill("SIGKILL");
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout!.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => err.push(chunk));
    if (options.input !== undefined) {
      child.stdin!.on("error", () => undefined); // git may exit before reading all of it; its exit code says why
      child.stdin!.end(options.input);
    }
    child.once("error", (error) => {
      spawnError = error; // ENOENT (no git) or EACCES; "close" still follows
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        exitCode: code,
        signal,
        timedOut,
        cancelled,
        error: spawnError,
      });
    });
  });
}

/** The working tree root containing `cwd`, or undefined when `cwd` is not inside a work tree. */
export async function gitTopLevel(cwd: string): Promise<string | undefined> {
  const { stdout, exitCode } = await runGit(["rev-parse", "--show-toplevel"], { cwd, allowFailure: true });
  const top = stdout.trim();
  return exitCode === 0 && top !== "" ? top : undefined;
}

function gitEnv(extra: Record<string, string> | undefined): Record<string, string> {
  // Inherit PATH, HOME and the rest so git finds itself and the user's config; drop redirections.
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !REDIRECTING_ENV.includes(key)) env[key] = value;
  }
  return {
    ...env,
    ...extra,
    GIT_TERMINAL_PROMPT: "0",
    GIT_OPTIONAL_LOCKS: "0", // read-only calls such as `status` must not rewrite the index
    LC_ALL: "C", // stable, parseable messages
  };
}

function tail(text: string): string {
  const trimmed = text.trim();
  return trimmed.length <= STDERR_TAIL_CHARS ? trimmed : `…${trimmed.slice(-STDERR_TAIL_CHARS)}`;
}
