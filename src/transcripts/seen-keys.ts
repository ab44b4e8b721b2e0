// The utterances that already made a request (or were taken by the hook), so one utterance makes at
// most one request across restarts, rotations and rewrites: `.autonomous_runs/.relay/transcripts/seen.jsonl`,
// one `{"key","at"}` per line, appended as requests are published. Bounded: past MAX_KEYS lines it
// is rewritten (atomically) with the newest KEEP_KEYS.
//
// That file is the watcher's private state, which a user may delete. The requests themselves carry
// the hashes of their utterance's keys (`utterance_keys` in the front matter, see
// phrase-request.ts), so a watcher that finds no seen.jsonl rebuilds it from the inbox and the
// archive: a phrase already requested is never requested again, state or no state.
import { appendFile, mkdir, open } from "node:fs/promises";
import path from "node:path";
import { listRequestFiles } from "../observe/request-files.js";
import { requestName, type Layout } from "../protocol/layout.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { readIfExists } from "../util/read-if-exists.js";
import { sha256 } from "../util/sha256.js";
import { TRANSCRIPTS_DIR } from "./offsets.js";

/** The front-matter field naming an utterance's keys, hashed (`utteranceKeyHash`), space-separated. */
export const UTTERANCE_KEYS_FIELD = "utterance_keys";

/** A key as a request's front matter keeps it: short, and free of the transcript path it names. */
export function utteranceKeyHash(key: string): string {
  return sha256(key).slice(0, 32);
}

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

  readonly #hashes = new Set<string>();

  static async load(layout: Layout): Promise<SeenKeys> {
    const seen = new SeenKeys(layout);
    await mkdir(path.dirname(seen.#file), { recursive: true });
    const text = await readIfExists(seen.#file);
    if (text === null) {
      for (const hash of await requestedUtterances(layout)) seen.#hashes.add(hash);
      return seen;
    }
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
    return this.#keys.has(key) || (this.#hashes.size > 0 && this.#hashes.has(utteranceKeyHash(key)));
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

// The first bytes of a request hold its front matter; a transcript request's is short.
const FRONT_MATTER_BYTES = 4096;
const KEYS_LINE = new RegExp(`^${UTTERANCE_KEYS_FIELD}: *"?([0-9a-f ]+)"?\\s*$`, "m");

/** The utterance key hashes of every request in the inbox and the archive that a transcript made. */
async function requestedUtterances(layout: Layout): Promise<string[]> {
  const hashes: string[] = [];
  const buffer = Buffer.alloc(FRONT_MATTER_BYTES);
  for (const { id, dir, request } of (await listRequestFiles(layout)).values()) {
    if (!request) continue;
    const handle = await open(path.join(dir, requestName(id)), "r").catch(() => undefined);
    if (!handle) continue;
    try {
      const { bytesRead } = await handle.read(buffer, 0, FRONT_MATTER_BYTES, 0);
      const keys = KEYS_LINE.exec(buffer.toString("utf8", 0, bytesRead))?.[1];
      if (keys) hashes.push(...keys.split(" ").filter(Boolean));
    } finally {
      await handle.close();
    }
  }
  return hashes;
}
