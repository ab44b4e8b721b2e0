// Spawn `codex exec`, stream its JSONL events, and police it with a watchdog. Codex runs in its
// own process group so that a timeout, a cancel or a shutdown kills everything it started.
import { createInterface } from "node:readline";
import { spawnInGroup } from "../util/process-group.js";
import { RelayError } from "../errors.js";
import { isReconnect, parseEventLine, type CodexEvent } from "./events.js";
import { requeueOf } from "./requeue.js";
import { classifyRun, emptyRunState, reduceEvent, type RunOutcome, type RunState, type StopReason } from "./outcome.js";
import type { ProviderInfo } from "./provider.js";
import { Watchdog, type WatchdogLimits } from "./watchdog.js";

export interface RunCodexOptions {
  readonly bin: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly limits: WatchdogLimits;
  /** The provider Codex talks to, named in connection and HTTP errors. */
  readonly provider?: ProviderInfo;
  /** Aborting stops the run: a `Requeue` reason ends it for a re-run, any other reason cancels it. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: CodexEvent) => void;
  readonly onSpawn?: OnCodexSpawn;
}

/**
 * Called with Codex's pid as soon as it runs; what it returns is called once Codex has exited
 * (the daemon records in the request's claim whether it is only waiting on Codex).
 */
export type OnCodexSpawn = (pid: number) => (() => void) | void;

export interface RunCodexResult {
  readonly outcome: RunOutcome;
  readonly state: RunState;
  readonly exitCode: number | null;
  readonly startedAt: Date;
}

const STDERR_TAIL_BYTES = 8192;

export async function runCodex(options: RunCodexOptions): Promise<RunCodexResult> {
  const state = emptyRunState();
  const startedAt = new Date();
  let stopReason: StopReason | null = null;
  let stderrTail = "";

  const { child, exited, killGroup } = spawnInGroup(options.bin, options.args, { cwd: options.cwd, env: options.env });
  let forceKill: NodeJS.Timeout | undefined;
  const stop = (reason: StopReason) => {
    if (stopReason) return;
    stopReason = reason;
    killGroup("SIGTERM");
    forceKill = setTimeout(() => killGroup("SIGKILL"), options.limits.kill_grace_s * 1000);
    forceKill.unref();
  };

  const watchdog = new Watchdog(options.limits, stop);
  const onAbort = () => stop(abortReason(options.signal));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const onExit = child.pid === undefined ? undefined : options.onSpawn?.(child.pid);

  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });

  try {
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    for await (const line of lines) {
      const event = parseEventLine(line);
      if (!event) continue;
      watchdog.sawEvent(event.type === "thread.started" ? "thread" : isReconnect(event) ? "connection" : "work");
      reduceEvent(state, event);
      options.onEvent?.(event);
    }
    const result = await exited;
    const spawnFailed = result.failed && result.exitCode === undefined && !result.signal && !stopReason;
    if (spawnFailed) {
      const cause = result.cause as NodeJS.ErrnoException | undefined;
      const code = cause?.code === "ENOENT" || cause?.code === "EACCES" ? "codex_not_found" : "codex_crashed";
      throw new RelayError(code, `cannot start ${options.bin}: ${cause?.message ?? result.shortMessage}`, { cause });
    }
    const outcome = classifyRun(state, {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      stderrTail,
      stopReason,
      limits: options.limits,
      provider: options.provider,
    });
    return { outcome, state, exitCode: result.exitCode ?? null, startedAt };
  } finally {
    watchdog.dispose();
    options.signal?.removeEventListener("abort", onAbort);
    // Codex may leave helpers behind in its group even after a clean exit; nothing outlives a run.
    killGroup("SIGKILL");
    if (forceKill) clearTimeout(forceKill);
    onExit?.();
  }
}

function abortReason(signal: AbortSignal | undefined): StopReason {
  return requeueOf(signal) ? "shutdown" : "cancelled";
}
