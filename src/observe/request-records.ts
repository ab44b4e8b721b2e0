// Every request of a workspace as a RequestRecord, newest first, read from the protocol's files
// alone: requests and RESULTs in the inbox and the archive, claims, CANCEL/APPROVE markers, the
// daemon's lock, the route decision and the ledger. No private state: what the files say is the
// state.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { estimateCostUsd } from "../config/prices.js";
import { requestName, resultName, type Layout } from "../protocol/layout.js";
import { requestIdTime } from "../protocol/request-id.js";
import type { Usage } from "../protocol/result.js";
import { leaseHeld, readLease } from "../util/lease.js";
import { oneLine } from "../util/one-line.js";
import { readLedger, type LedgerEntry } from "./ledger-entries.js";
import type { PriceTable } from "../config/prices.js";
import { settingsGetter, type ObserveSettings, type SettingsSource } from "./observe-settings.js";
import { listRequestFiles, fileOf, type RequestFiles } from "./request-files.js";
import { matchesState, stateWords, type RecordSource, type RequestRecord, type RequestState, type TokenCounts } from "./request-record.js";
import { glanceAtRequest, type RequestGlance } from "./request-glance.js";
import { readResultText, type ResultSummary } from "./result-summary.js";

export interface RecordQuery {
  readonly now: Date;
  /** The workspace's settings, or a getter called only when a record needs them (default: an empty config's). */
  readonly settings?: SettingsSource;
  /** Only requests made at or after this time (their id's time). */
  readonly since?: Date;
  /** Only these kinds (any of them). */
  readonly kinds?: readonly string[];
  /** Only these states (any of them; see matchesState: a state, `open` or `finished`). */
  readonly states?: readonly string[];
  /** At most this many records, the newest; reading stops once they are found. */
  readonly limit?: number;
  /** false: leave the issue out (null) and the request files unread, where the RESULT says the rest (audit). */
  readonly issue?: boolean;
  /** Only ids older than this one (a page's cursor: the dashboard's "load older"). */
  readonly before?: string;
  /** Only ids newer than this one (what appeared since a page was read). */
  readonly after?: string;
  /** Only these ids. */
  readonly ids?: readonly string[];
  /** Only records this accepts, tested with the issue read (the dashboard's filter words). */
  readonly match?: (record: RequestRecord) => boolean;
}

const ISSUE_CHARS = 120;
// Requests read between two turns of the event loop: a listing of thousands must not stall a
// server (the dashboard) that asks for it, and `limit` stops the reading soon.
const BATCH = 128;

/**
 * A small file's text, or null when it is gone. Synchronous on purpose: for thousands of small
 * files it takes half the time of fs/promises (no thread-pool round trips), and the listing yields
 * to the event loop between batches.
 */
function readText(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null; // moved (archived) or deleted meanwhile: read as gone
  }
}

/** The matching records, newest first; `listing`: listRequestFiles' answer when the caller has it already. */
export async function readRequestRecords(layout: Layout, query: RecordQuery, listing?: Map<string, RequestFiles>): Promise<RequestRecord[]> {
  const all = listing ?? (await listRequestFiles(layout));
  const since = query.since?.getTime();
  const { before, after } = query;
  const only = query.ids && new Set(query.ids);
  const ids = [...all.keys()]
    .filter((id) => (since === undefined || (requestIdTime(id)?.getTime() ?? 0) >= since) && (before === undefined || id < before) && (after === undefined || id > after) && (!only || only.has(id)))
    .sort()
    .reverse();
  const reader = new WorkspaceReader(layout, query);
  const records: RequestRecord[] = [];
  const limit = query.limit && query.limit > 0 ? query.limit : Infinity;
  for (let at = 0; at < ids.length && records.length < limit; at += BATCH) {
    if (at > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const id of ids.slice(at, at + BATCH)) {
      const record = await reader.record(all.get(id)!);
      if (record && records.length < limit) records.push(record);
    }
  }
  return records;
}

/** One request's record, or undefined when the workspace has no request or RESULT with that id. */
export async function readRequestRecord(layout: Layout, id: string, query: Pick<RecordQuery, "now" | "settings">): Promise<RequestRecord | undefined> {
  const files = (await listRequestFiles(layout)).get(id);
  return files && (await new WorkspaceReader(layout, query).record(files));
}

/** A record from a RESULT alone (the audit branch keeps RESULTs of requests whose files are gone). */
export function recordOfResult(result: ResultSummary, ledger: LedgerEntry | undefined, now: Date, prices: PriceTable, source: RecordSource): RequestRecord {
  return finishedRecord(result.id, result, ledger, null, now, prices, source);
}

/** What every record of one listing shares, read once and only when a record needs it. */
class WorkspaceReader {
  readonly #layout: Layout;
  readonly #query: RecordQuery;
  readonly #settings: () => Promise<ObserveSettings>;
  #ledger?: Promise<Map<string, LedgerEntry>>;
  #daemon?: Promise<boolean>;
  #routeApproved?: Promise<boolean>;

  constructor(layout: Layout, query: Pick<RecordQuery, "now" | "settings"> & Partial<RecordQuery>) {
    this.#layout = layout;
    this.#query = query as RecordQuery;
    this.#settings = settingsGetter(query.settings);
  }

  async record(files: RequestFiles): Promise<RequestRecord | undefined> {
    const { kinds, states } = this.#query;
    const record = files.result ? await this.#finished(files) : await this.#open(files);
    if (kinds?.length && !kinds.includes(record.kind)) return undefined;
    if (states?.length && !states.some((state) => matchesState(record, state))) return undefined;
    const shown = record.issue !== null || this.#query.issue === false || !files.request || !files.result ? record : { ...record, issue: (await this.#request(files))?.issue ?? null }; // read only for the records shown
    return !this.#query.match || this.#query.match(shown) ? shown : undefined;
  }

  async #finished(files: RequestFiles): Promise<RequestRecord> {
    const { id } = files;
    const result = readResultText(readText(fileOf(files, resultName(id, "json"))) ?? ""); // moved meanwhile: unreadable
    const kind = result?.kind ?? "analysis";
    const ledger = kind === "patch" || kind === "micro" ? (await this.#ledgerEntries()).get(id) : undefined;
    // Today's price table only for a RESULT without its own estimate.
    const prices = result?.usage && result.usage.cost_usd === null ? (await this.#settings()).prices : {};
    return finishedRecord(id, result, ledger, null, this.#query.now, prices, files.home);
  }

  async #open(files: RequestFiles): Promise<RequestRecord> {
    const { id } = files;
    const request = await this.#request(files);
    const kind = request?.kind ?? "analysis";
    const now = this.#query.now;
    let state: RequestState;
    let runningMs: number | null = null;
    let awaiting: RequestRecord["awaiting"] = null;
    const settings = await this.#settings();
    const claim = files.home === "inbox" ? await readLease<object>(this.#layout.claim(id)).catch(() => undefined) : undefined; // unreadable: as if none
    if (claim?.record) {
      const held = leaseHeld(claim, { now, staleMs: settings.claimStaleMs });
      state = held ? "running" : "orphaned";
      const since = Date.parse(String(claim.record.started_at ?? ""));
      runningMs = held && Number.isFinite(since) ? Math.max(0, now.getTime() - since) : null;
    } else if (files.cancel) {
      state = "cancel_requested";
    } else if (settings.approvalRequired && !files.approve) {
      [state, awaiting] = ["awaiting_approval", "approve_marker"];
    } else if (kind === "patch" && !(await this.#routeDecisionApproves())) {
      [state, awaiting] = ["awaiting_approval", "route_decision"];
    } else {
      state = (await this.#daemonRunning()) ? "queued" : "waiting_for_daemon";
    }
    return {
      ...baseRecord(id, kind, now, files.home),
      state,
      stateText: stateWords(state, { runningMs }),
      awaiting,
      issue: request?.issue ?? null,
      durationMs: runningMs,
    };
  }

  async #request(files: RequestFiles): Promise<RequestGlance | undefined> {
    if (!files.request) return undefined;
    const text = readText(fileOf(files, requestName(files.id)));
    const glance = text === null ? undefined : await glanceAtRequest(text);
    return glance && { kind: glance.kind, issue: oneLine(glance.issue, ISSUE_CHARS) };
  }

  #ledgerEntries(): Promise<Map<string, LedgerEntry>> {
    return (this.#ledger ??= readLedger(this.#layout.ledger));
  }

  #daemonRunning(): Promise<boolean> {
    const now = this.#query.now;
    return (this.#daemon ??= readLease(this.#layout.lockFile).then(
      (holder) => holder !== undefined && leaseHeld(holder, { now }),
      () => false, // unreadable: as if there were none
    ));
  }

  // A patch runs only on a route decision granting codex-rw with an approver (PROTOCOL.md §5).
  #routeDecisionApproves(): Promise<boolean> {
    return (this.#routeApproved ??= (async () => {
      const text = await readFile(this.#layout.routeDecision, "utf8").catch(() => null);
      if (text === null) return false;
      const { parseRouteDecision } = await import("../protocol/route-decision.js");
      const decision = parseRouteDecision(text);
      return decision.permission === "codex-rw" && decision.approvedBy !== null;
    })());
  }
}

// Every field, in the order `--json` shows them (a spread keeps the first key order); the state
// fields are set by the caller.
function baseRecord(id: string, kind: string, now: Date, source: RecordSource): RequestRecord {
  const created = requestIdTime(id) ?? now;
  return {
    id,
    kind,
    state: "queued",
    stateText: "",
    awaiting: null,
    issue: null,
    durationMs: null,
    createdAt: created.toISOString(),
    ageMs: Math.max(0, now.getTime() - created.getTime()),
    finished: false,
    summary: null,
    tokens: null,
    costUsd: null,
    error: null,
    confidence: null,
    files: [],
    patchRun: null,
    branch: null,
    commit: null,
    model: null,
    timing: null,
    source,
  };
}

/** What still waits after a diagnosis under the delegate policy: a person's approval, or `codex-relay patch`. */
function heldPatchWords(result: ResultSummary | undefined): string {
  if (result?.awaitingPerson) return "; its patch awaits a person (the delegate policy did not approve it)";
  return result?.patchNotQueued ? "; its patch is approved and awaits `codex-relay patch` ([patch] auto_patch = false)" : "";
}

function finishedRecord(id: string, result: ResultSummary | undefined, ledger: LedgerEntry | undefined, issue: string | null, now: Date, prices: PriceTable, source: RecordSource): RequestRecord {
  const kind = result?.kind ?? "analysis";
  // A RESULT that does not read is still a finished request: counted as failed, and said so.
  const state: RequestState = result?.status ?? "failed";
  const error = result ? result.error : { code: "unreadable_result", message: "the RESULT json could not be read" };
  const timing = result?.timing ?? null;
  return {
    ...baseRecord(id, kind, now, source),
    state,
    stateText: stateWords(state, { errorCode: error?.code }) + heldPatchWords(result),
    awaiting: null,
    finished: true,
    issue,
    summary: result?.summary ?? null,
    durationMs: timing?.durationMs ?? null,
    tokens: tokensOf(result?.usage ?? null),
    costUsd: costOf(result, prices),
    error,
    confidence: result?.confidence ?? null,
    files: result?.files ?? [],
    ...patchFields(id, ledger ?? null),
    model: result?.model ?? null,
    timing: timing && { detectedAt: timing.detectedAt, startedAt: timing.startedAt, finishedAt: timing.finishedAt, codexMs: timing.codexMs },
  };
}

/** `record` with its patch run's ledger line (found elsewhere: the audit branch keeps the ledger as it stood). */
export function withPatchRun(record: RequestRecord, ledger: LedgerEntry): RequestRecord {
  return { ...record, ...patchFields(record.id, ledger) };
}

function patchFields(id: string, ledger: LedgerEntry | null): Pick<RequestRecord, "patchRun" | "branch" | "commit"> {
  return {
    patchRun: ledger,
    // Ledger lines of older versions name no branch: a committed run's is `codex/<kind>-<id>`.
    branch: ledger ? (ledger.branch ?? (ledger.commit ? `codex/${ledger.kind}-${id}` : null)) : null,
    commit: ledger?.commit ?? null,
  };
}

function tokensOf(usage: Usage | null): TokenCounts | null {
  if (!usage) return null;
  return {
    input: usage.input_tokens,
    cachedInput: usage.cached_input_tokens,
    output: usage.output_tokens,
    reasoningOutput: usage.reasoning_output_tokens,
    total: usage.input_tokens + usage.output_tokens,
  };
}

// The RESULT's own estimate first (made at the prices of its day), else today's table.
function costOf(result: ResultSummary | undefined, prices: PriceTable): number | null {
  if (!result?.usage) return null;
  return result.usage.cost_usd ?? estimateCostUsd(result.usage, result.model, prices);
}
