// The gateway's token totals per UTC day, persisted under .autonomous_runs/.relay/usage/ after
// every call, so a restart loses nothing and `[budget] daily_tokens` holds across processes.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Layout } from "../protocol/layout.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { addTokens, NO_TOKENS, type CallTokens } from "./sse-usage.js";

export interface DayTotals extends CallTokens {
  readonly day: string;
  calls: number;
  /** The same totals per request kind (analysis, diagnose, patch, micro). */
  kinds: Record<string, CallTokens & { calls: number }>;
}

export class DailyUsage {
  readonly #layout: Layout;
  #current: DayTotals | null = null;
  #writing: Promise<void> = Promise.resolve();

  constructor(layout: Layout) {
    this.#layout = layout;
  }

  /** The totals of `day` (`YYYY-MM-DD`), read from disk the first time a day is asked for. */
  async totals(day: string): Promise<Readonly<DayTotals>> {
    if (this.#current?.day !== day) this.#current = await readDay(this.#layout, day);
    return this.#current;
  }

  /** Count one call of a `kind` request on `day` and persist the day (writes are serialized, the last one wins). */
  async add(day: string, kind: string, tokens: Readonly<CallTokens>): Promise<Readonly<DayTotals>> {
    const totals = (await this.totals(day)) as DayTotals;
    addTokens(totals, tokens);
    totals.calls += 1;
    const ofKind = (totals.kinds[kind] ??= { ...NO_TOKENS, calls: 0 });
    addTokens(ofKind, tokens);
    ofKind.calls += 1;
    const text = `${JSON.stringify(totals, null, 2)}\n`;
    const file = this.#layout.usageDay(day);
    this.#writing = this.#writing.then(() => writeFileAtomic(file, text, path.dirname(file)));
    await this.#writing;
    return totals;
  }
}

/** `YYYY-MM-DD` of `date` in UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

async function readDay(layout: Layout, day: string): Promise<DayTotals> {
  try {
    const saved = JSON.parse(await readFile(layout.usageDay(day), "utf8")) as Partial<DayTotals>;
    const totals: DayTotals = { day, ...NO_TOKENS, calls: typeof saved.calls === "number" ? saved.calls : 0, kinds: {} };
    addTokens(totals, { ...NO_TOKENS, ...pickNumbers(saved) });
    for (const [kind, of] of Object.entries(saved.kinds ?? {})) {
      totals.kinds[kind] = { ...NO_TOKENS, ...pickNumbers(of), calls: typeof of.calls === "number" ? of.calls : 0 };
    }
    return totals;
  } catch {
    return { day, ...NO_TOKENS, calls: 0, kinds: {} }; // no file yet (or an unreadable one): the day starts at zero
  }
}

function pickNumbers(saved: Partial<CallTokens>): Partial<CallTokens> {
  const out: Partial<CallTokens> = {};
  for (const key of Object.keys(NO_TOKENS) as (keyof CallTokens)[]) if (typeof saved[key] === "number") out[key] = saved[key];
  return out;
}
