// The one way codex-relay runs git: an argv array through execa (never a shell), with the
// repository's hooks and fsmonitor switched off and an environment that cannot redirect git.
// Not simple-git (README, Dependencies): the audit plumbing feeds git's stdin, which it cannot, and
// one runner keeps the safety config and the environment scrubbing in one place.
import { execa } from "execa";
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
  const result = await execa("git", [...GIT_SAFETY_CONFIG, ...args], {
    cwd: options.cwd,
    env: gitEnv(options.env),
    extendEnv: false,
    ...(options.input === undefined ? { stdin: "ignore" as const } : { input: options.input }),
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
    reject: false,
  });
  const stdout = String(result.stdout ?? "");
  const stderr = String(result.stderr ?? "");
  const exitCode = result.exitCode;
  if (exitCode === 0) return { stdout, stderr, exitCode };
  if (exitCode !== undefined && options.allowFailure === true && !result.timedOut && !result.isCanceled) {
    return { stdout, stderr, exitCode };
  }
  const why = result.timedOut
    ? `timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`
    : result.isCanceled
      ? "cancelled"
      : exitCode === undefined
        ? (result.cause instanceof Error ? result.cause.message : result.shortMessage)
        : tail(stderr) || `exit code ${exitCode}`;
  throw new RelayError("internal_error", `git ${args.join(" ")} failed in ${options.cwd}: ${why}`, {
    cause: result,
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
