// What a Codex run came to, decided from its JSONL events (not the exit code alone). Pure:
// `reduceEvent` folds events into RunState, `classifyRun` turns the state into an outcome.
import { RelayError, type ErrorCode } from "../errors.js";
import { isReconnect, type CodexEvent } from "./events.js";
import { describeProvider, type ProviderInfo } from "./provider.js";

export interface RunState {
  threadId: string | null;
  finalMessage: string | null;
  usage: { input_tokens: number; cached_input_tokens: number; output_tokens: number; reasoning_output_tokens: number } | null;
  turnCompleted: boolean;
  failures: string[];
  unknownEvents: number;
  /** Reconnect attempts Codex reported, and the last one's text (the provider's trouble). */
  reconnects: number;
  lastReconnect: string | null;
}

export function emptyRunState(): RunState {
  return { threadId: null, finalMessage: null, usage: null, turnCompleted: false, failures: [], unknownEvents: 0, reconnects: 0, lastReconnect: null };
}

export function reduceEvent(state: RunState, event: CodexEvent): void {
  switch (event.type) {
    case "thread.started":
      state.threadId = event.thread_id;
      break;
    case "item.completed":
      if (event.item.type === "agent_message" && typeof event.item.text === "string") state.finalMessage = event.item.text;
      break;
    case "turn.completed":
      state.turnCompleted = true;
      if (event.usage) {
        const { input_tokens, cached_input_tokens, output_tokens, reasoning_output_tokens } = event.usage;
        state.usage = { input_tokens, cached_input_tokens, output_tokens, reasoning_output_tokens };
      }
      break;
    case "turn.failed":
      state.failures.push(event.error.message);
      break;
    case "error":
      if (isReconnect(event)) {
        state.reconnects += 1;
        state.lastReconnect = event.message;
      }
      state.failures.push(event.message);
      break;
    case "unknown":
      state.unknownEvents += 1;
      break;
    default:
      break; // turn.started, item.started, item.updated: progress only
  }
}

/** Why the run was stopped from outside, if it was. */
export type StopReason = "start_timeout" | "stall_timeout" | "wall_timeout" | "unreachable" | "cancelled" | "shutdown";

export interface RunEnd {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  readonly stopReason: StopReason | null;
  readonly limits: { start_timeout_s: number; stall_timeout_s: number; wall_timeout_s: number; unreachable_s?: number };
  /** The provider Codex talked to, named in connection, auth and HTTP errors. */
  readonly provider?: ProviderInfo;
}

export type RunOutcome =
  | { kind: "replied"; message: string }
  | { kind: "timed_out"; error: RelayError }
  | { kind: "cancelled"; error: RelayError; shutdown: boolean }
  | { kind: "failed"; error: RelayError };

export function classifyRun(state: RunState, end: RunEnd): RunOutcome {
  const { stopReason, limits } = end;
  if (stopReason === "cancelled" || stopReason === "shutdown") {
    const why = stopReason === "shutdown" ? "the daemon shut down while Codex was running" : "the request was cancelled";
    return { kind: "cancelled", error: new RelayError("cancelled", why), shutdown: stopReason === "shutdown" };
  }
  const where = end.provider ? ` (${describeProvider(end.provider)})` : "";
  if (stopReason === "unreachable") {
    const last = state.lastReconnect ? `; last: ${state.lastReconnect}` : "";
    const message = `Codex could not reach the model ${end.provider ? describeProvider(end.provider) : "provider"} for ${limits.unreachable_s ?? "?"} s (${state.reconnects} reconnect attempt(s)${last}); its process group was killed`;
    return { kind: "failed", error: new RelayError("codex_unreachable", message) };
  }
  if (stopReason) {
    const message = {
      start_timeout: `Codex did not start a thread within ${limits.start_timeout_s} s`,
      stall_timeout: `Codex produced no event for ${limits.stall_timeout_s} s`,
      wall_timeout: `Codex ran longer than the ${limits.wall_timeout_s} s wall-clock cap`,
    }[stopReason];
    return { kind: "timed_out", error: new RelayError(stopReason, `${message}; its process group was killed`) };
  }
  // A turn that completed with a message succeeded, even after `error` events along the way
  // (Codex reports "Reconnecting... 1/2" as an error and then recovers).
  if (state.turnCompleted && state.finalMessage !== null) return { kind: "replied", message: state.finalMessage };
  if (state.failures.length > 0) {
    const message = state.failures[state.failures.length - 1] ?? "";
    const code = codeForFailure(message);
    return { kind: "failed", error: new RelayError(code, `Codex failed: ${explain(code, message)}${PROVIDER_CODES.has(code) ? where : ""}`) };
  }
  if (state.turnCompleted) return { kind: "failed", error: new RelayError("codex_no_output", "Codex finished its turn without a final message") };
  const stderr = end.stderrTail.trim();
  const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.exitCode}`;
  const code = stderr ? codeForFailure(stderr, "codex_crashed") : "codex_crashed";
  return { kind: "failed", error: new RelayError(code, `Codex ${how} before finishing its turn${stderr ? `: ${lastLines(stderr, 5)}` : ""}`) };
}

const FAILURE_PATTERNS: [RegExp, ErrorCode][] = [
  [/missing environment variable/i, "codex_not_authenticated"],
  [/waiting for network|connection (?:failed|refused)|error sending request|dns error|failed to lookup address/i, "codex_unreachable"],
  [/\b401\b|unauthori[sz]ed|not logged in|invalid[_ ]api[_ ]key|please (?:run )?`?codex login|authentication/i, "codex_not_authenticated"],
  [/\b429\b|rate.?limit|too many requests|quota/i, "codex_rate_limited"],
  [/sandbox|landlock|seccomp|seatbelt|bwrap/i, "codex_sandbox_unavailable"],
  [/unexpected status \d{3}|\b5\d\d\b|high demand|stream disconnected|error sending request|connection refused/i, "codex_http_error"],
];

// Failures that are about the provider: their messages name it, so the user knows where to look.
const PROVIDER_CODES = new Set<ErrorCode>(["codex_not_authenticated", "codex_rate_limited", "codex_http_error", "codex_unreachable"]);

/** Codex words a provider's 5xx as "high demand"; say what it is. */
function explain(code: ErrorCode, message: string): string {
  if (code === "codex_http_error" && /high demand/i.test(message)) return `the provider kept answering with server errors (Codex reports: "${message}")`;
  return message;
}

function codeForFailure(message: string, fallback: ErrorCode = "codex_failed"): ErrorCode {
  return FAILURE_PATTERNS.find(([pattern]) => pattern.test(message))?.[1] ?? fallback;
}

function lastLines(text: string, n: number): string {
  return text.split("\n").filter((line) => line.trim()).slice(-n).join(" | ");
}
