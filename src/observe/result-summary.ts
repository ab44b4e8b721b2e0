// The fields of a RESULT json (PROTOCOL.md §4) that status, audit and the dashboard show, read
// tolerantly: a viewer skips a field it cannot read rather than a whole request, and picking
// fields by hand keeps a listing of 10,000 RESULTs well under a second (a full zod parse of each
// would cost more than the reading).
import type { ResultStatus, Usage } from "../protocol/result.js";
import { PATCH_NOT_QUEUED } from "../protocol/held-patch.js";
import { RESULT_SCHEMA_ID } from "../protocol/result-schema-id.js";

// Every status, checked complete against the schema's enum by the type; a plain object, not the
// zod enum, so that `status` does not load zod.
const STATUSES: Record<ResultStatus, true> = { completed: true, failed: true, rejected: true, cancelled: true, timed_out: true };

export type Confidence = "high" | "medium" | "low";

export interface ResultTiming {
  readonly detectedAt: string;
  /** When Codex was spawned (its first turn for a patch); null when it never ran. */
  readonly startedAt: string | null;
  readonly finishedAt: string;
  /** Detection to RESULT. */
  readonly durationMs: number;
  /** Time spent in Codex (all turns of a patch); null in RESULTs written before the field existed. */
  readonly codexMs: number | null;
}

export interface ResultSummary {
  readonly id: string;
  readonly kind: string;
  readonly status: ResultStatus;
  readonly summary: string;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly confidence: Confidence | null;
  /** The files the analysis or diagnosis points at (its recommended fixes'), workspace-relative. */
  readonly files: readonly string[];
  readonly model: string | null;
  readonly usage: Usage | null;
  readonly timing: ResultTiming | null;
  /** A diagnosis whose patch the delegate policy would not approve: the RESULT's `approval.approved_by` is null. */
  readonly awaitingPerson: boolean;
  /** The delegate policy approved the patch but `[patch] auto_patch = false` left it to `codex-relay patch`. */
  readonly patchNotQueued: boolean;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
const number = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/** The summary of a parsed RESULT json; undefined when it is not one (no id or no known status). */
export function summarizeResult(json: unknown): ResultSummary | undefined {
  if (!isObject(json)) return undefined;
  const id = text(json.id);
  const status = json.status;
  if (id === null || typeof status !== "string" || !Object.hasOwn(STATUSES, status)) return undefined;
  if (json.schema !== RESULT_SCHEMA_ID) return undefined; // another version's RESULT: not one this relay reads
  const analysis = isObject(json.analysis) ? json.analysis : null;
  const error = isObject(json.error) ? { code: text(json.error.code) ?? "unknown", message: text(json.error.message) ?? "" } : null;
  return {
    id,
    kind: text(json.kind) ?? "analysis",
    status: status as ResultStatus,
    summary: text(json.summary) ?? "",
    error,
    confidence: confidenceOf(analysis?.confidence),
    files: fixFiles(analysis?.recommended_fixes),
    model: isObject(json.codex) ? text(json.codex.model) : null,
    usage: usageOf(json.usage),
    timing: timingOf(json.timing),
    awaitingPerson: isObject(json.approval) && json.approval.approved_by === null,
    patchNotQueued: isObject(json.approval) && typeof json.approval.detail === "string" && json.approval.detail.endsWith(PATCH_NOT_QUEUED),
  };
}

/** The summary of a RESULT json's text; undefined when it does not parse or is not a RESULT. */
export function readResultText(raw: string): ResultSummary | undefined {
  try {
    return summarizeResult(JSON.parse(raw));
  } catch {
    return undefined; // a torn or hand-edited file: shown as unreadable, never fatal to a listing
  }
}

function confidenceOf(value: unknown): Confidence | null {
  return value === "high" || value === "medium" || value === "low" ? value : null;
}

function fixFiles(fixes: unknown): string[] {
  if (!Array.isArray(fixes)) return [];
  const files = new Set<string>();
  for (const fix of fixes) if (isObject(fix) && Array.isArray(fix.files)) for (const file of fix.files) if (typeof file === "string" && file) files.add(file);
  return [...files];
}

function usageOf(value: unknown): Usage | null {
  if (!isObject(value)) return null;
  const input = number(value.input_tokens);
  const output = number(value.output_tokens);
  if (input === null || output === null) return null;
  return {
    input_tokens: input,
    cached_input_tokens: number(value.cached_input_tokens) ?? 0,
    output_tokens: output,
    reasoning_output_tokens: number(value.reasoning_output_tokens) ?? 0,
    cost_usd: number(value.cost_usd),
  };
}

function timingOf(value: unknown): ResultTiming | null {
  if (!isObject(value)) return null;
  const detectedAt = text(value.detected_at);
  const finishedAt = text(value.finished_at);
  const durationMs = number(value.duration_ms);
  if (detectedAt === null || finishedAt === null || durationMs === null) return null;
  return { detectedAt, startedAt: text(value.started_at), finishedAt, durationMs, codexMs: number(value.codex_ms) };
}
