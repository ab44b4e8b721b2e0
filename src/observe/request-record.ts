// One request as status, audit and the dashboard see it, and its state in words. Types and pure
// functions only; request-records.ts reads the files.
import type { ResultStatus } from "../protocol/result.js";
import type { LedgerEntry } from "./ledger-entries.js";
import type { Confidence, ResultTiming } from "./result-summary.js";

/** Where a request stands. The finished ones are the RESULT's status. */
export type RequestState =
  | "queued"
  | "waiting_for_daemon"
  | "awaiting_approval"
  | "cancel_requested"
  | "running"
  | "orphaned"
  | ResultStatus;

export const OPEN_STATES: readonly RequestState[] = ["queued", "waiting_for_daemon", "awaiting_approval", "cancel_requested", "running", "orphaned"];
export const FINISHED_STATES: readonly ResultStatus[] = ["completed", "failed", "rejected", "cancelled", "timed_out"];

/** Where a request's record came from: its files in the inbox or an archive month, or only the audit branch. */
export type RecordSource = "inbox" | "archive" | "audit";

export interface TokenCounts {
  readonly input: number;
  readonly cachedInput: number;
  readonly output: number;
  readonly reasoningOutput: number;
  /** input + output (cached input is part of input, reasoning part of output). */
  readonly total: number;
}

export interface RequestRecord {
  readonly id: string;
  /** analysis, diagnose, patch or micro (from the RESULT, else the request; analysis when neither says). */
  readonly kind: string;
  readonly state: RequestState;
  /** The state for people: `queued`, `awaiting approval`, `running 12 s`, `completed`, `failed: codex_unreachable`. */
  readonly stateText: string;
  /** What it waits for when awaiting approval: an APPROVE marker, or a route decision that grants codex-rw with an approver. */
  readonly awaiting: "approve_marker" | "route_decision" | null;
  readonly finished: boolean;
  /** The issue's first line; null when the request file is gone (archived RESULT only, audit branch) or unreadable. */
  readonly issue: string | null;
  /** The RESULT's one-line summary; null while open. */
  readonly summary: string | null;
  /** When the request was made: the UTC second its id names (ISO). */
  readonly createdAt: string;
  readonly ageMs: number;
  /** Detection to RESULT when finished; time since the claim while running; null otherwise. */
  readonly durationMs: number | null;
  readonly tokens: TokenCounts | null;
  /** RESULT usage.cost_usd, else estimated from `[budget.prices]`, else null. */
  readonly costUsd: number | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly confidence: Confidence | null;
  /** The files the analysis or diagnosis pointed at (its recommended fixes'). */
  readonly files: readonly string[];
  /** Patch and micro: the run's ledger line (files changed, attempts, limits hit, overlap); null otherwise or when missing. */
  readonly patchRun: LedgerEntry | null;
  /** Patch and micro: the sandbox branch and the verified commit (null when nothing was committed). */
  readonly branch: string | null;
  readonly commit: string | null;
  readonly model: string | null;
  /** The RESULT's timing (its `durationMs` is the record's own). */
  readonly timing: Omit<ResultTiming, "durationMs"> | null;
  readonly source: RecordSource;
}

/** The state in words; `runningMs` for a running request, `errorCode` for a finished one that did not complete. */
export function stateWords(state: RequestState, detail: { runningMs?: number | null; errorCode?: string | null } = {}): string {
  switch (state) {
    case "running":
      return detail.runningMs == null ? "running" : `running ${formatSeconds(detail.runningMs)}`;
    case "waiting_for_daemon":
      return "waiting for a daemon";
    case "awaiting_approval":
      return "awaiting approval";
    case "cancel_requested":
      return "cancel requested";
    case "orphaned":
      return "orphaned (its daemon died; the next start re-runs it)";
    case "timed_out":
    case "failed":
    case "rejected":
      return `${state === "timed_out" ? "timed out" : state}${detail.errorCode ? `: ${detail.errorCode}` : ""}`;
    default:
      return state;
  }
}

/** `850 ms`, `12 s`, `4 min 05 s`, `2 h 03 min`, `3 d 4 h`. */
export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, "0")} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** The state keys `--state` accepts: a state, `open` or `finished`; spaces and dashes count as `_`. */
export function matchesState(record: Pick<RequestRecord, "state" | "finished">, wanted: string): boolean {
  const key = wanted.trim().toLowerCase().replace(/[\s-]+/g, "_");
  if (key === "open") return !record.finished;
  if (key === "finished" || key === "done") return record.finished;
  return record.state === key;
}

/** Whether `wanted` names a state (for a clear error on a mistyped `--state`). */
export function isStateKey(wanted: string): boolean {
  const key = wanted.trim().toLowerCase().replace(/[\s-]+/g, "_");
  return key === "open" || key === "finished" || key === "done" || (OPEN_STATES as readonly string[]).includes(key) || (FINISHED_STATES as readonly string[]).includes(key);
}
