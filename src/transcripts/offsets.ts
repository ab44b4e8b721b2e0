// Where reading stopped in each watched transcript, kept across restarts in
// `.autonomous_runs/.relay/transcripts/offsets.json` (written whole and atomically), so that a
// restart neither misses nor repeats what was said.
//
// `offset` is where the last complete line ended (scanChunk's `consumedTo`): an unfinished last line
// is not stored (no carry), it is read again from the file after a restart. Where to start reading a
// transcript is decided by `startPoint`:
// - known, same file (dev/ino), not shorter than `offset`, and the bytes before `offset` unchanged:
//   from `offset`;
// - another inode (rotated), shorter than `offset` (truncated), or rewritten: from its start;
// - unknown and new (it appeared after the watcher started, or since the last run under a path the
//   daemon already watched): from its start;
// - unknown and already there on the first start under its configured path: from its end (the last
//   line break), unless `fromStart`.
import path from "node:path";
import { z } from "zod";
import type { Layout } from "../protocol/layout.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { readIfExists } from "../util/read-if-exists.js";

export const TRANSCRIPTS_DIR = "transcripts";
const FORMATS = ["claude-code", "codex-cli", "aider", "plain"] as const;

const EntrySchema = z.object({
  dev: z.number(),
  ino: z.number(),
  /** The file's size when it was last read. */
  size: z.number().int().min(0),
  /** End of the last complete line read: reading resumes here. */
  offset: z.number().int().min(0),
  format: z.enum(FORMATS),
  /** The line parser's snapshot at `offset` (Markdown formats only). */
  parser: z.unknown().optional(),
  /** Hex of the (up to) 32 bytes before `offset`: tells a rewritten file from a grown one. */
  tail: z.string().optional(),
  /** Phrases before this offset were in the file before it was watched: scanned for parser state only. */
  mute: z.number().int().min(0).optional(),
  /** Why the transcript is never scanned (a `codex exec` session: the relay's own runs). */
  skip: z.string().optional(),
  /** Codex rollouts: whether the session header has been checked. */
  checked: z.boolean().optional(),
});
export type TranscriptEntry = z.infer<typeof EntrySchema>;

const StateSchema = z.object({
  version: z.literal(1),
  /** The configured transcript paths (expanded) watched before: their existing files are not new. */
  roots: z.array(z.string()),
  transcripts: z.record(z.string(), EntrySchema),
});
export type OffsetsState = z.infer<typeof StateSchema>;

export function offsetsFile(layout: Layout): string {
  return path.join(layout.relay, TRANSCRIPTS_DIR, "offsets.json");
}

/** The saved state, or undefined on the first start ever (no file, or one that does not validate). */
export async function loadOffsets(layout: Layout): Promise<OffsetsState | undefined> {
  const text = await readIfExists(offsetsFile(layout));
  if (text === null) return undefined;
  try {
    return StateSchema.parse(JSON.parse(text));
  } catch {
    // Written atomically, so only a hand edit breaks it: start over as on a first start.
    return undefined;
  }
}

export async function saveOffsets(layout: Layout, state: OffsetsState): Promise<void> {
  await writeFileAtomic(offsetsFile(layout), `${JSON.stringify(state)}\n`, layout.tmp);
}

export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
}

export type StartReason = "resume" | "rotated" | "truncated" | "rewritten";

/**
 * Where to resume a known transcript. `tailNow` is the hex of the bytes before `entry.offset` as the
 * file holds them now (undefined when the entry has no tail to compare).
 */
export function resumePoint(entry: TranscriptEntry, now: FileIdentity, tailNow: string | undefined): { from: number; reason: StartReason } {
  if (now.dev !== entry.dev || now.ino !== entry.ino) return { from: 0, reason: "rotated" };
  if (now.size < entry.offset) return { from: 0, reason: "truncated" };
  if (entry.tail !== undefined && tailNow !== undefined && tailNow !== entry.tail) return { from: 0, reason: "rewritten" };
  return { from: entry.offset, reason: "resume" };
}

/** Whether an unknown transcript is read from its start, or only what is appended from now on. */
export function readsFromStart(how: { appeared: boolean; rootKnown: boolean; fromStart: boolean }): boolean {
  return how.appeared || how.rootKnown || how.fromStart;
}

export const TAIL_BYTES = 32;
