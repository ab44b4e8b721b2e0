// The page's calls to its server: the token from the page's own URL goes with each one.
export const TOKEN = new URLSearchParams(location.search).get("token") ?? "";

/** src/ui/ui-figures.ts RequestRow, as JSON. */
export interface RequestRow {
  id: string;
  kind: string;
  state: string;
  stateText: string;
  finished: boolean;
  awaiting: "approve_marker" | "route_decision" | null;
  issue: string;
  createdAt: string;
  durationMs: number | null;
  tokens: number | null;
  costUsd: number | null;
  branch: string | null;
}

/** src/ui/ui-figures.ts RequestPage, as JSON. */
export interface RequestPage {
  rows: RequestRow[];
  more: boolean;
  refreshed: RequestRow[];
  total: number;
  open: number;
}

/** src/ui/ui-figures.ts DayFigures, as JSON. */
export interface DayFigures {
  day: string;
  byStatus: Record<string, number>;
  tokens: number;
  costUsd: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface RequestDetail {
  id: string;
  request: string | null;
  result: Record<string, any> | null;
  resultMarkdown: string | null;
  events: Record<string, any>[];
  report: { file: string; markdown: string } | null;
  approval: { diagnosis: string; files: string[] } | null;
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.json().catch(() => ({}))).error ?? ""}`);
  return (await res.json()) as T;
}

export async function postJson(path: string, body: unknown = {}): Promise<{ ok: boolean; error?: string; hint?: string }> {
  const res = await fetch(path, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  return (await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }))) as { ok: boolean; error?: string; hint?: string };
}

/** Calls `onChange` whenever the relay's files change, `onLog` with the id whose event log grew; `onState` says whether the stream is up. */
export function subscribe(onChange: () => void, onLog: (id: string) => void, onState: (up: boolean) => void): void {
  const source = new EventSource(`/api/events?token=${encodeURIComponent(TOKEN)}`);
  source.addEventListener("change", onChange);
  source.addEventListener("log", (event) => onLog((event as MessageEvent<string>).data));
  source.onopen = () => onState(true);
  source.onerror = () => onState(false);
}
