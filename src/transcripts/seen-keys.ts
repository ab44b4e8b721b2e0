// The utterances that already made a request (or were taken by the hook), so one utterance makes at
// most one request across restarts, rotations and rewrites: `.autonomous_runs/.relay/transcripts/seen.jsonl`,
// one `{"key","at"}` per line, appended as requests are published. Bounded: past MAX_KEYS lines it
// is rewritten (atomically) with the newest KEEP_KEYS.
import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { Layout } from "../protocol/layout.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { readIfExists } from "../util/read-if-exists.js";
import { TRANSCRIPTS_DIR } from "./offsets.js";

const MAX_KEYS = 20_000;
const KEEP_KEYS = 10_000;

export class SeenKeys {
  readonly #file: string;
  readonly #layout: Layout;
  /** Insertion-ordered: the oldest keys go first when the file is compacted. */
  readonly #keys = new Map<string, string>();

  private constructor(layout: Layout) {
    this.#layout = layout;
    this.#file = path.join(layout.relay, TRANSCRIPTS_DIR, "seen.jsonl");
  }

  static async load(layout: Layout): Promise<SeenKeys> {
    const seen = new SeenKeys(layout);
    await mkdir(path.dirname(seen.#file), { recursive: true });
    const text = (await readIfExists(seen.#file)) ?? "";
    for (const line of text.split("\n")) {
      try {
        const record = JSON.parse(line) as { key?: unknown; at?: unknown };
        if (typeof record.key === "string") seen.#keys.set(record.key, typeof record.at === "string" ? record.at : "");
      } catch {
        // the torn last line of a crash, or an empty line: nothing to remember
      }
    }
    return seen;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Remember `keys` (one utterance may have several), on disk before this resolves. */
  async add(keys: readonly string[], at: Date): Promise<void> {
    const fresh = keys.filter((key) => !this.#keys.has(key));
    if (fresh.length === 0) return;
    const stamp = at.toISOString();
    for (const key of fresh) this.#keys.set(key, stamp);
    if (this.#keys.size > MAX_KEYS) {
      for (const key of [...this.#keys.keys()].slice(0, this.#keys.size - KEEP_KEYS)) this.#keys.delete(key);
      const lines = [...this.#keys].map(([key, when]) => JSON.stringify({ key, at: when }));
      await writeFileAtomic(this.#file, `${lines.join("\n")}\n`, this.#layout.tmp);
      return;
    }
    await appendFile(this.#file, fresh.map((key) => `${JSON.stringify({ key, at: stamp })}\n`).join(""));
  }
}
