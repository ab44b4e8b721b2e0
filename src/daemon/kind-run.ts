// What every request kind gets (the context, the parsed request, a cancel signal) and gives back
// (the fields of its RESULT, or "requeue" on a daemon shutdown). `codexEnd` turns a Codex run
// that did not reply into that RESULT, the same way for every kind.
import type { RunCodexResult } from "../codex/run-codex.js";
import type { DelegationRequest } from "../protocol/request.js";
import type { ResultInput } from "../report/result-file.js";
import type { RelayContext } from "./relay-context.js";

export type CodexInfo = { -readonly [K in keyof ResultInput["codex"]]: ResultInput["codex"][K] };

export interface KindRun {
  readonly ctx: RelayContext;
  readonly id: string;
  readonly request: DelegationRequest;
  readonly signal?: AbortSignal;
  readonly onSpawn?: (pid: number) => void;
  /** Filled in as the run learns it (binary, version, model, thread, exit code). */
  readonly codex: CodexInfo;
  readonly warnings: string[];
}

export type KindOutcome =
  | { kind: "requeue" }
  | (Omit<ResultInput, "id" | "kind" | "detectedAt" | "finishedAt" | "codex" | "warnings"> & {
      kind: "finish";
      /** More files for the audit commit (reports, ledger), workspace-absolute. */
      auditFiles?: readonly string[];
    });

type Finish = Extract<KindOutcome, { kind: "finish" }>;

/** A run that replied (its message and the RESULT fields so far), or the finished outcome. */
export function codexEnd(
  run: KindRun,
  result: RunCodexResult,
): { kind: "replied"; message: string; base: Pick<Finish, "kind" | "startedAt" | "usage"> } | { kind: "ended"; outcome: KindOutcome } {
  const { outcome, state } = result;
  run.codex.thread_id = state.threadId;
  run.codex.exit_code = result.exitCode;
  const base = { kind: "finish" as const, startedAt: result.startedAt, usage: state.usage && { ...state.usage, cost_usd: null } };
  switch (outcome.kind) {
    case "cancelled":
      if (outcome.shutdown) return { kind: "ended", outcome: { kind: "requeue" } };
      return { kind: "ended", outcome: { ...base, status: "cancelled", error: outcome.error } };
    case "timed_out":
      return { kind: "ended", outcome: { ...base, status: "timed_out", error: outcome.error } };
    case "failed":
      return { kind: "ended", outcome: { ...base, status: "failed", error: outcome.error } };
    case "replied":
      return { kind: "replied", message: outcome.message, base };
  }
}
