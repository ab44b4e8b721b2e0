// The figures of `codex-relay audit` (and the dashboard's charts), computed from request records:
// totals, completion, patch outcomes, confidence, tokens and cost per day and kind, latency
// percentiles, top error codes and files. computeAuditFigures is pure; readAuditFigures gathers
// the records from the files and the audit branch.
import type { Layout } from "../protocol/layout.js";
import type { ResultStatus } from "../protocol/result.js";
import { writesCode } from "../protocol/request-text.js";
import { readAuditedLedgerEntries, readAuditOnlyRecords } from "./audit-history.js";
import { settingsGetter, type SettingsSource } from "./observe-settings.js";
import { FINISHED_STATES, type RecordSource, type RequestRecord } from "./request-record.js";
import { readRequestRecords, withPatchRun } from "./request-records.js";

export const AUDIT_SCHEMA_ID = "codex-relay/audit@1";
const TOP = 10;

export interface Percentiles {
  /** Requests the figure was measured on. */
  readonly n: number;
  readonly p50: number | null;
  readonly p95: number | null;
}

export interface SpendFigures {
  readonly requests: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly reasoningOutputTokens: number;
  /** input + output. */
  readonly totalTokens: number;
  /** The sum of the costs known; null when none is (no `[budget.prices]` row and none in the RESULTs). */
  readonly costUsd: number | null;
  /** Requests that used tokens but have no cost (no price for their model). */
  readonly unpriced: number;
}

export interface AuditFigures {
  readonly schema: typeof AUDIT_SCHEMA_ID;
  /** The window: requests made at or after `since` (null: all), up to `until`. */
  readonly since: string | null;
  readonly until: string;
  /** Every request of the window; `open` of them have no RESULT yet (counted nowhere else). */
  readonly requests: number;
  readonly open: number;
  readonly finished: number;
  readonly byStatus: Readonly<Record<ResultStatus, number>>;
  readonly byKind: Readonly<Record<string, { readonly finished: number; readonly byStatus: Readonly<Record<ResultStatus, number>> }>>;
  /** completed ÷ finished; null when nothing finished. */
  readonly completionRate: number | null;
  readonly patches: {
    /** Patch and micro runs with a ledger line. */
    readonly runs: number;
    /** Runs that reached verification (not aborted before patching). */
    readonly verified: number;
    /** Runs whose verification passed (committed) ÷ verified. */
    readonly verificationPassRate: number | null;
    /** Runs that needed a repair (more than one Codex run), and how many of those then passed. */
    readonly repairs: { readonly attempted: number; readonly succeeded: number; readonly rate: number | null };
    /** Limit codes hit, by kind (`patch`, `micro`): `{ too_many_files: 2 }`. */
    readonly limitsHit: Readonly<Record<string, Readonly<Record<string, number>>>>;
    /** Runs where the Builder changed an approved file while Codex worked (BUILDER OVERLAP). */
    readonly overlapConflicts: number;
  };
  readonly confidence: {
    /** high = 3, medium = 2, low = 1, averaged; null when no RESULT gave one. */
    readonly average: number | null;
    /** The average's nearest level. */
    readonly level: "high" | "medium" | "low" | null;
    readonly high: number;
    readonly medium: number;
    readonly low: number;
  };
  readonly spend: {
    readonly total: SpendFigures;
    /** Per UTC day of the request (`YYYY-MM-DD`), oldest first. */
    readonly byDay: readonly (SpendFigures & { readonly day: string })[];
    readonly byKind: Readonly<Record<string, SpendFigures>>;
  };
  /** Milliseconds over finished requests: detection → Codex spawned, time in Codex, detection → RESULT. */
  readonly latencyMs: { readonly detectionToSpawn: Percentiles; readonly codex: Percentiles; readonly total: Percentiles };
  readonly topErrors: readonly { readonly code: string; readonly count: number }[];
  readonly topFiles: {
    /** Files diagnoses pointed at (their recommended fix's files). */
    readonly diagnosed: readonly { readonly file: string; readonly count: number }[];
    /** Files changed by a committed patch or micro edit. */
    readonly patched: readonly { readonly file: string; readonly count: number }[];
  };
  /** Where the records came from: files in the inbox or the archive, or the audit branch alone. */
  readonly sources: Readonly<Record<RecordSource, number>>;
}

export interface AuditQuery {
  readonly now: Date;
  readonly since?: Date;
  readonly settings?: SettingsSource;
}

/** The figures of every request made in the window: the inbox, the archive, and the audit branch for the rest. */
export async function readAuditFigures(layout: Layout, query: AuditQuery): Promise<AuditFigures> {
  const settings = settingsGetter(query.settings);
  const read = await readRequestRecords(layout, { now: query.now, since: query.since, settings, issue: false });
  // A patch whose line left the workspace's ledger (deleted, rotated) has it on the audit branch.
  const unledgered = read.filter((r) => r.finished && writesCode(r.kind) && !r.patchRun).map((r) => r.id);
  const ledgers = await readAuditedLedgerEntries(layout, unledgered);
  const onDisk = read.map((r) => (ledgers.has(r.id) ? withPatchRun(r, ledgers.get(r.id)!) : r));
  const known = new Set(onDisk.map((record) => record.id));
  const audited = await readAuditOnlyRecords(layout, known, { now: query.now, since: query.since, prices: async () => (await settings()).prices });
  return computeAuditFigures([...onDisk, ...audited], { since: query.since ?? null, now: query.now });
}

export function computeAuditFigures(records: readonly RequestRecord[], window: { readonly since: Date | null; readonly now: Date }): AuditFigures {
  const finished = records.filter((record) => record.finished);
  const byStatus = emptyStatuses();
  const byKind: Record<string, { finished: number; byStatus: Record<ResultStatus, number> }> = {};
  for (const record of finished) {
    const ofKind = (byKind[record.kind] ??= { finished: 0, byStatus: emptyStatuses() });
    ofKind.finished += 1;
    if (Object.hasOwn(byStatus, record.state)) {
      byStatus[record.state as ResultStatus] += 1;
      ofKind.byStatus[record.state as ResultStatus] += 1;
    }
  }
  const sources: Record<RecordSource, number> = { inbox: 0, archive: 0, audit: 0 };
  for (const record of records) sources[record.source] += 1;
  return {
    schema: AUDIT_SCHEMA_ID,
    since: window.since?.toISOString() ?? null,
    until: window.now.toISOString(),
    requests: records.length,
    open: records.length - finished.length,
    finished: finished.length,
    byStatus,
    byKind,
    completionRate: ratio(byStatus.completed, finished.length),
    patches: patchFigures(finished),
    confidence: confidenceFigures(finished),
    spend: spendFigures(finished),
    latencyMs: latencyFigures(finished),
    topErrors: top(finished.flatMap((r) => (r.error ? [r.error.code] : []))).map(([code, count]) => ({ code, count })),
    topFiles: {
      diagnosed: top(finished.filter((r) => r.kind === "diagnose").flatMap((r) => r.files)).map(([file, count]) => ({ file, count })),
      patched: top(finished.flatMap((r) => (r.patchRun?.verificationPassed ? r.patchRun.filesModified : []))).map(([file, count]) => ({ file, count })),
    },
    sources,
  };
}

function emptyStatuses(): Record<ResultStatus, number> {
  return Object.fromEntries(FINISHED_STATES.map((s) => [s, 0])) as Record<ResultStatus, number>;
}

function patchFigures(finished: readonly RequestRecord[]): AuditFigures["patches"] {
  const runs = finished.flatMap((r) => (r.patchRun ? [r.patchRun] : []));
  const verified = runs.filter((run) => run.status !== "aborted");
  const repaired = runs.filter((run) => (run.attempts ?? 1) > 1);
  const repairedPassed = repaired.filter((run) => run.verificationPassed).length;
  const limitsHit: Record<string, Record<string, number>> = {};
  for (const run of runs) {
    for (const code of run.limitsHit) {
      const ofKind = (limitsHit[run.kind] ??= {});
      ofKind[code] = (ofKind[code] ?? 0) + 1;
    }
  }
  return {
    runs: runs.length,
    verified: verified.length,
    verificationPassRate: ratio(verified.filter((run) => run.verificationPassed).length, verified.length),
    repairs: { attempted: repaired.length, succeeded: repairedPassed, rate: ratio(repairedPassed, repaired.length) },
    limitsHit,
    overlapConflicts: runs.filter((run) => run.overlap.length > 0).length,
  };
}

const CONFIDENCE_SCORE = { high: 3, medium: 2, low: 1 } as const;

function confidenceFigures(finished: readonly RequestRecord[]): AuditFigures["confidence"] {
  const counts = { high: 0, medium: 0, low: 0 };
  for (const record of finished) if (record.confidence) counts[record.confidence] += 1;
  const n = counts.high + counts.medium + counts.low;
  const score = counts.high * CONFIDENCE_SCORE.high + counts.medium * CONFIDENCE_SCORE.medium + counts.low * CONFIDENCE_SCORE.low;
  const average = n === 0 ? null : round(score / n, 2);
  const level = average === null ? null : average >= 2.5 ? "high" : average >= 1.5 ? "medium" : "low";
  return { average, level, ...counts };
}

function spendFigures(finished: readonly RequestRecord[]): AuditFigures["spend"] {
  const byDay = new Map<string, RequestRecord[]>();
  const byKind = new Map<string, RequestRecord[]>();
  for (const record of finished) {
    const day = record.createdAt.slice(0, 10);
    (byDay.get(day) ?? byDay.set(day, []).get(day)!).push(record);
    (byKind.get(record.kind) ?? byKind.set(record.kind, []).get(record.kind)!).push(record);
  }
  return {
    total: spendOf(finished),
    byDay: [...byDay.keys()].sort().map((day) => ({ day, ...spendOf(byDay.get(day)!) })),
    byKind: Object.fromEntries([...byKind].map(([kind, of]) => [kind, spendOf(of)])),
  };
}

function spendOf(records: readonly RequestRecord[]): SpendFigures {
  let [input, cached, output, reasoning, cost, priced, unpriced] = [0, 0, 0, 0, 0, 0, 0];
  for (const { tokens, costUsd } of records) {
    if (tokens) [input, cached, output, reasoning] = [input + tokens.input, cached + tokens.cachedInput, output + tokens.output, reasoning + tokens.reasoningOutput];
    if (costUsd !== null) [cost, priced] = [cost + costUsd, priced + 1];
    else if (tokens && tokens.total > 0) unpriced += 1;
  }
  return {
    requests: records.length,
    inputTokens: input,
    cachedInputTokens: cached,
    outputTokens: output,
    reasoningOutputTokens: reasoning,
    totalTokens: input + output,
    costUsd: priced === 0 ? null : round(cost, 6),
    unpriced,
  };
}

function latencyFigures(finished: readonly RequestRecord[]): AuditFigures["latencyMs"] {
  const spawn: number[] = [];
  const codex: number[] = [];
  const total: number[] = [];
  for (const { timing, durationMs, kind } of finished) {
    if (durationMs !== null) total.push(durationMs);
    if (!timing?.startedAt) continue; // Codex never ran (rejected, cancelled while queued)
    const started = Date.parse(timing.startedAt);
    spawn.push(started - Date.parse(timing.detectedAt));
    // Older RESULTs lack codex_ms: for a one-turn kind the span from spawn to RESULT is Codex's;
    // a patch's also holds verification, so it is left out.
    const inCodex = timing.codexMs ?? (kind === "analysis" || kind === "diagnose" ? Date.parse(timing.finishedAt) - started : null);
    if (inCodex !== null && Number.isFinite(inCodex)) codex.push(inCodex);
  }
  return { detectionToSpawn: percentiles(spawn), codex: percentiles(codex), total: percentiles(total) };
}

/** Nearest-rank percentiles (p50, p95) of `values`, in whole ms. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? null : Math.round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!));
  return { n: sorted.length, p50: at(50), p95: at(95) };
}

/** The TOP most frequent values with their counts, most frequent first (ties by name). */
function top(values: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP);
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : round(part / whole, 4);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
