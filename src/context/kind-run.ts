// What every request kind gets (the context, the parsed request, a cancel signal) and gives back
// (the fields of its RESULT; a daemon shutdown throws `Requeue` instead). Types only.
import type { DelegationRequest } from "../protocol/request.js";
import type { ResultInput } from "../report/result-file.js";
import type { RelayContext } from "./relay-context.js";

export type CodexInfo = { -readonly [K in keyof ResultInput["codex"]]: ResultInput["codex"][K] };

export interface KindRun {
  readonly ctx: RelayContext;
  readonly id: string;
  readonly request: DelegationRequest;
  /** Aborted with "cancelled" (a RESULT follows), or with a `Requeue` (the request runs again). */
  readonly signal?: AbortSignal;
  /** Called with Codex's pid as soon as it runs; what it returns is called once Codex has exited. */
  readonly onSpawn?: (pid: number) => (() => void) | void;
  /** Filled in as the run learns it (binary, version, model, thread, exit code). */
  readonly codex: CodexInfo;
  readonly warnings: string[];
}

export type KindOutcome = Omit<ResultInput, "id" | "kind" | "detectedAt" | "finishedAt" | "codex" | "warnings"> & {
  kind: "finish";
  /** More files for the audit commit (reports, ledger), workspace-absolute. */
  auditFiles?: readonly string[];
};
