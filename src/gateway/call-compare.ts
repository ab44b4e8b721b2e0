// Whether a model call Codex makes during a replay is the one the recording holds: both bodies
// with their volatile fields normalised (ids, cache keys, dates, tool timings, the request's own
// id), then the first difference named by its JSON path. Pure.

/** Top-level fields that differ between two runs of the same request by design. */
const VOLATILE_FIELDS = ["prompt_cache_key", "client_metadata", "previous_response_id", "metadata"];

// Text that changes from run to run inside otherwise equal input: the date in Codex's environment
// context, and the chunk id, wall time and session of a tool's output.
const VOLATILE_TEXT: ReadonlyArray<[RegExp, string]> = [
  [/<current_date>[^<]*<\/current_date>/g, "<current_date/>"],
  [/^Chunk ID: \S+$/gm, "Chunk ID: *"],
  [/^Wall time: [\d.]+ seconds$/gm, "Wall time: *"],
  [/session ID \d+/g, "session ID *"],
];

/** `body` as compared: volatile fields dropped, item ids dropped, `fromId` written as `toId`. */
export function normalizeCall(body: unknown, ids: { readonly fromId: string; readonly toId: string }): unknown {
  const text = (value: string): string => VOLATILE_TEXT.reduce((out, [pattern, to]) => out.replace(pattern, to), value.split(ids.fromId).join(ids.toId));
  const walk = (value: unknown, inInput: boolean): unknown => {
    if (typeof value === "string") return text(value);
    if (Array.isArray(value)) return value.map((item) => walk(item, inInput));
    if (typeof value !== "object" || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (inInput && key === "id") continue; // message, call and output item ids are minted per run
      out[key] = walk(child, inInput || key === "input");
    }
    return out;
  };
  if (typeof body !== "object" || body === null || Array.isArray(body)) return walk(body, false);
  const top = { ...(body as Record<string, unknown>) };
  for (const field of VOLATILE_FIELDS) delete top[field];
  return walk(top, false);
}

export interface Difference {
  /** Where, as a JSON path (`input[3].content[0].text`). */
  readonly path: string;
  /** Around the first difference: the recorded value and the one sent now. */
  readonly recorded: string;
  readonly now: string;
}

const AROUND = 40;

/** The first place where `now` differs from `recorded`, or null when they are equal. */
export function firstDifference(recorded: unknown, now: unknown, at = ""): Difference | null {
  if (typeof recorded === "string" && typeof now === "string") {
    if (recorded === now) return null;
    let i = 0;
    while (i < recorded.length && i < now.length && recorded[i] === now[i]) i += 1;
    const excerpt = (s: string) => (i > AROUND ? "…" : "") + JSON.stringify(s.slice(Math.max(0, i - AROUND), i + AROUND)) + (s.length > i + AROUND ? "…" : "");
    return { path: at || "$", recorded: excerpt(recorded), now: excerpt(now) };
  }
  if (Array.isArray(recorded) && Array.isArray(now)) {
    for (let i = 0; i < Math.min(recorded.length, now.length); i += 1) {
      const diff = firstDifference(recorded[i], now[i], `${at}[${i}]`);
      if (diff) return diff;
    }
    if (recorded.length === now.length) return null;
    return { path: at || "$", recorded: `${recorded.length} items`, now: `${now.length} items` };
  }
  if (isRecord(recorded) && isRecord(now)) {
    const keys = [...new Set([...Object.keys(recorded), ...Object.keys(now)])];
    for (const key of keys) {
      const where = at ? `${at}.${key}` : key;
      if (!(key in now)) return { path: where, recorded: brief(recorded[key]), now: "absent" };
      if (!(key in recorded)) return { path: where, recorded: "absent", now: brief(now[key]) };
      const diff = firstDifference(recorded[key], now[key], where);
      if (diff) return diff;
    }
    return null;
  }
  return JSON.stringify(recorded) === JSON.stringify(now) ? null : { path: at || "$", recorded: brief(recorded), now: brief(now) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 2 * AROUND ? `${text.slice(0, 2 * AROUND)}…` : text;
}
