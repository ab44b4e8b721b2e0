// What the dashboard's list and charts show, from the status data layer (src/observe/): each
// request's record cut to the fields the page uses, and the audit figures of each of the last days.
import { computeAuditFigures } from "../observe/audit-figures.js";
import type { ObserveSettings } from "../observe/observe-settings.js";
import type { RequestRecord } from "../observe/request-record.js";
import { listRequestFiles } from "../observe/request-files.js";
import { readRequestRecords } from "../observe/request-records.js";
import type { Layout } from "../protocol/layout.js";

const DAY_MS = 86_400_000;
export const CHART_DAYS = 14;

/** One row of the request list. */
export interface RequestRow {
  readonly id: string;
  readonly kind: string;
  /** The state key (`queued`, `running`, `completed`, …) and its words (`running 12 s`, `failed: codex_unreachable`). */
  readonly state: string;
  readonly stateText: string;
  readonly finished: boolean;
  /** What an approval would be: an APPROVE marker (the page offers the button) or a route decision. */
  readonly awaiting: RequestRecord["awaiting"];
  readonly issue: string;
  readonly createdAt: string;
  readonly durationMs: number | null;
  readonly tokens: number | null;
  readonly costUsd: number | null;
  readonly branch: string | null;
}

/** Which rows a page of the list asks for (all optional): see RequestPage. */
export interface PageQuery {
  /** At most this many rows (default PAGE_ROWS, at most MAX_PAGE_ROWS). */
  readonly limit?: number;
  /** Rows older than this id ("load older"). */
  readonly before?: string;
  /** Rows newer than this id only (a live update: what appeared since). */
  readonly after?: string;
  /** These rows again besides (a live update: the open rows the page holds). */
  readonly refresh?: readonly string[];
  /** Words every row shown contains (id, kind, state or issue), case-insensitive. */
  readonly filter?: string;
}

/** One page of the list: the rows, whether older ones match too, the rows asked for again, and the workspace's counts. */
export interface RequestPage {
  readonly rows: RequestRow[];
  readonly more: boolean;
  readonly refreshed: RequestRow[];
  /** Every request on record, and those without a RESULT (filter or not). */
  readonly total: number;
  readonly open: number;
}

export const PAGE_ROWS = 100;
export const MAX_PAGE_ROWS = 1000;

/**
 * A page of the list, newest first. Only the rows shown are read: the listing is folder names, and
 * reading stops at the page's end, so a workspace of 10,000 costs a page what one of 100 does.
 */
export async function requestPage(layout: Layout, settings: ObserveSettings, now: Date, query: PageQuery = {}): Promise<RequestPage> {
  const listing = await listRequestFiles(layout);
  const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? PAGE_ROWS) || PAGE_ROWS), MAX_PAGE_ROWS);
  const words = query.filter?.trim().toLowerCase();
  const match = words ? (r: RequestRecord) => `${r.id} ${r.kind} ${r.stateText} ${r.issue ?? r.summary ?? ""}`.toLowerCase().includes(words) : undefined;
  const records = await readRequestRecords(layout, { now, settings, limit: limit + 1, before: query.before, after: query.after, match }, listing);
  const refreshed = query.refresh?.length ? await readRequestRecords(layout, { now, settings, ids: query.refresh }, listing) : [];
  let open = 0;
  for (const files of listing.values()) if (!files.result) open += 1;
  return { rows: records.slice(0, limit).map(rowOf), more: records.length > limit, refreshed: refreshed.map(rowOf), total: listing.size, open };
}

function rowOf(r: RequestRecord): RequestRow {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    stateText: r.stateText,
    finished: r.finished,
    awaiting: r.awaiting,
    issue: r.issue ?? r.summary ?? "",
    createdAt: r.createdAt,
    durationMs: r.durationMs,
    tokens: r.tokens?.total ?? null,
    costUsd: r.costUsd,
    branch: r.branch,
  };
}

/** A day's bar of each chart. */
export interface DayFigures {
  readonly day: string;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly tokens: number;
  readonly costUsd: number | null;
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
}

/** The audit figures of each of the last CHART_DAYS UTC days (oldest first), by the day each request was made. */
export async function chartFigures(layout: Layout, settings: ObserveSettings, now: Date): Promise<DayFigures[]> {
  const days = Array.from({ length: CHART_DAYS }, (_, i) => new Date(now.getTime() - (CHART_DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10));
  const since = new Date(`${days[0]!}T00:00:00.000Z`);
  const records = await readRequestRecords(layout, { now, since, settings, issue: false });
  return days.map((day) => {
    const figures = computeAuditFigures(records.filter((r) => r.createdAt.startsWith(day)), { since: new Date(`${day}T00:00:00.000Z`), now });
    return {
      day,
      byStatus: figures.byStatus,
      tokens: figures.spend.total.totalTokens,
      costUsd: figures.spend.total.costUsd,
      latencyP50Ms: figures.latencyMs.total.p50,
      latencyP95Ms: figures.latencyMs.total.p95,
    };
  });
}
