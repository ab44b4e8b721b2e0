// The dashboard's request rows, read from the protocol's files (inbox, claims, RESULTs). A minimal
// reader until the status data layer (src/observe/) lands; the page only needs these fields.
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { REQUEST_FILE, RESULT_JSON_FILE, type Layout } from "../protocol/layout.js";
import { parseRequest } from "../protocol/parse-request.js";
import { jsonObject } from "../util/json-object.js";

export interface RequestRow {
  readonly id: string;
  readonly kind: string;
  /** `queued`, `awaiting approval`, `running`, or the RESULT's status. */
  readonly state: string;
  readonly error: string | null;
  readonly issue: string;
  readonly finished_at: string | null;
  readonly duration_ms: number | null;
  readonly tokens: number | null;
  readonly cost_usd: number | null;
}

/** Every request of the inbox, newest first. */
export async function listRequests(layout: Layout, approvalRequired: boolean): Promise<RequestRow[]> {
  const names = await readdir(layout.inbox).catch(() => [] as string[]);
  const ids = new Set<string>();
  for (const name of names) {
    const id = REQUEST_FILE.exec(name)?.[1] ?? RESULT_JSON_FILE.exec(name)?.[1];
    if (id) ids.add(id);
  }
  const rows = await Promise.all([...ids].map((id) => requestRow(layout, id, approvalRequired)));
  return rows.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

async function requestRow(layout: Layout, id: string, approvalRequired: boolean): Promise<RequestRow> {
  const [text, resultText] = await Promise.all([readFile(layout.request(id), "utf8").catch(() => null), readFile(layout.result(id, "json"), "utf8").catch(() => null)]);
  const parsed = text === null ? null : parseRequest(text);
  const request = parsed?.ok ? parsed.request : null;
  const result = (jsonObject(resultText) as Partial<ResultLike> | null);
  const usage = result?.usage ?? null;
  return {
    id,
    kind: result?.kind ?? request?.kind ?? "analysis",
    state: result?.status ?? liveState(layout, id, approvalRequired),
    error: result?.error?.code ?? null,
    issue: (request?.issue ?? result?.summary ?? "").split("\n")[0]!.slice(0, 200),
    finished_at: result?.timing?.finished_at ?? null,
    duration_ms: result?.timing?.duration_ms ?? null,
    tokens: usage ? usage.input_tokens + usage.output_tokens : null,
    cost_usd: usage?.cost_usd ?? null,
  };
}

function liveState(layout: Layout, id: string, approvalRequired: boolean): string {
  if (existsSync(layout.claim(id))) return "running";
  if (approvalRequired && !existsSync(layout.approve(id))) return "awaiting approval";
  return "queued";
}

interface ResultLike {
  kind: string;
  status: string;
  summary: string;
  error: { code: string } | null;
  usage: { input_tokens: number; output_tokens: number; cost_usd: number | null } | null;
  timing: { finished_at: string; duration_ms: number };
}
