// Run one verification, setup or quality-gate command: an argv (never a shell), an explicit
// environment, stdin closed, its own process group, a timeout. Whatever it leaves behind is
// killed with the group, and only the last part of its output is kept, however much it prints.
import { stat } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { pickEnv } from "../security/child-env.js";
import { errnoCode, isNotFound } from "../util/not-found.js";
import { spawnInGroup } from "../util/process-group.js";
import type { CommandRun } from "../protocol/patch-run.js";

export interface RunCommandOptions {
  /** The line as written, for the report. */
  readonly command: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  /** The whole environment of the command (nothing is inherited); see `verificationEnv`. */
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  /**
   * Aborting kills the command's process group; the run comes back with status "error" and
   * "[cancelled …]" in its tail (check `signal.aborted` to tell it from a failure).
   */
  readonly signal?: AbortSignal;
  /** Output kept (stdout and stderr interleaved), from the end; default 16,000 bytes. */
  readonly maxOutputBytes?: number;
  readonly redact?: (text: string) => string;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 16_000;
// SIGTERM first so a test runner can tear down; SIGKILL if the group is still there after this.
const KILL_GRACE_MS = 2_000;
// After the command exits and its group is killed, its pipes close at once unless something that
// left the group (setsid) still holds them; stop reading then rather than wait for it.
const PIPE_GRACE_MS = 2_000;

type Stop = "timeout" | "cancelled";

export async function runCommand(options: RunCommandOptions): Promise<CommandRun> {
  const started = performance.now();
  const tail = new OutputTail(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const finish = (status: CommandRun["status"], exitCode: number | null, note?: string): CommandRun => {
    const text = tail.text() + (note === undefined ? "" : `${tail.isEmpty() ? "" : "\n"}[${note}]`);
    return {
      command: options.command,
      argv: [...options.argv],
      status,
      exitCode,
      durationMs: Math.round(performance.now() - started),
      outputTail: options.redact ? options.redact(text) : text,
    };
  };

  if (options.signal?.aborted) return finish("error", null, "cancelled before it started");
  const [program, ...args] = options.argv;
  if (program === undefined || program === "") return finish("error", null, "empty command");
  const cwdProblem = await checkCwd(options.cwd);
  if (cwdProblem) return finish("error", null, cwdProblem);

  const { child, exited: ended, killGroup } = spawnInGroup(program, args, { cwd: options.cwd, env: options.env });

  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let stop: Stop | null = null;
  let forceKill: NodeJS.Timeout | undefined;
  let pipeGrace: NodeJS.Timeout | undefined;
  const stopWith = (reason: Stop) => {
    if (stop !== null || exit !== null) return; // exited already: only its pipes are still draining
    stop = reason;
    killGroup("SIGTERM");
    forceKill = setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => stopWith("timeout"), options.timeoutMs);
  const onAbort = () => stopWith("cancelled");
  options.signal?.addEventListener("abort", onAbort, { once: true });

  child.on("exit", (code, signal) => {
    exit = { code, signal };
    // A test runner's workers or a dev server it started must not outlive the command.
    killGroup("SIGKILL");
    pipeGrace = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, PIPE_GRACE_MS);
  });
  const collect = (chunk: Buffer | string) => tail.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  try {
    const result = await ended;
    if (stop === "cancelled") return finish("error", null, "cancelled; its process group was killed");
    if (stop === "timeout") {
      return finish("timeout", null, `timed out after ${formatMs(options.timeoutMs)}; its process group was killed`);
    }
    const exited = exit as { code: number | null; signal: NodeJS.Signals | null } | null;
    if (exited === null) return finish("error", null, spawnProblem(program, result.cause, result.shortMessage ?? "unknown error"));
    if (exited.code === 0) return finish("pass", 0);
    if (exited.code !== null) return finish("fail", exited.code);
    return finish("fail", null, `killed by ${exited.signal ?? "a signal"}`);
  } finally {
    clearTimeout(timer);
    clearTimeout(pipeGrace);
    options.signal?.removeEventListener("abort", onAbort);
    killGroup("SIGKILL");
    clearTimeout(forceKill);
  }
}

/**
 * The environment verification and setup commands get: enough to find programs, a home, a
 * locale, temp space, proxies and CAs (for `npm ci`), plus the names the user lists — but no
 * provider credentials, and no NODE_OPTIONS (it would load code into every node the tests start).
 * TERM=dumb, NO_COLOR and CI keep tools non-interactive and their output plain.
 */
export function verificationEnv(
  env: Readonly<Record<string, string | undefined>>,
  extraNames: readonly string[],
): Record<string, string> {
  // Not buildChildEnv: that always adds Codex's allowlist, provider credentials included.
  return { ...pickEnv(env, [...VERIFY_ENV_NAMES, ...extraNames]), TERM: "dumb", NO_COLOR: "1", CI: "1" };
}

const VERIFY_ENV_NAMES: readonly string[] = [
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "LC_*", "TZ", "TMPDIR",
  "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
  "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy",
  "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
];

async function checkCwd(cwd: string): Promise<string | null> {
  try {
    return (await stat(cwd)).isDirectory() ? null : `working directory is not a directory: ${cwd}`;
  } catch {
    return `working directory not found: ${cwd}`;
  }
}

function spawnProblem(program: string, cause: unknown, fallback: string): string {
  if (isNotFound(cause)) return `command not found: ${program} (looked in the command's PATH)`;
  if (errnoCode(cause) === "EACCES") return `permission denied: ${program} is not executable`;
  return `cannot start ${program}: ${cause instanceof Error ? cause.message : fallback}`;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The last `max` bytes of a stream, with a count of what came before; memory stays bounded. */
class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= this.max) {
      const first = this.chunks.shift()!;
      this.size -= first.length;
      this.dropped += first.length;
    }
    if (this.size > 2 * this.max) this.compact();
  }

  isEmpty(): boolean {
    return this.size === 0 && this.dropped === 0;
  }

  text(): string {
    this.compact();
    const bytes = Buffer.concat(this.chunks);
    // Do not start inside a UTF-8 sequence: skip its continuation bytes.
    let start = 0;
    while (this.dropped > 0 && start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
    const omitted = this.dropped + start;
    const text = bytes.subarray(start).toString("utf8");
    return omitted === 0 ? text : `[… ${omitted} earlier bytes omitted …]\n${text}`;
  }

  private compact(): void {
    if (this.size <= this.max) return;
    const bytes = Buffer.concat(this.chunks);
    this.dropped += bytes.length - this.max;
    this.chunks = [Buffer.from(bytes.subarray(bytes.length - this.max))];
    this.size = this.max;
  }
}
