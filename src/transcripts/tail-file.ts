// Reads what was appended to one transcript since its entry's offset, in bounded chunks through
// scanChunk: the cost follows the appended bytes, never the file's size (plus one 32-byte read that
// tells a grown file from a rewritten one). Rotation, truncation and rewrites restart at byte 0.
import { open, type FileHandle } from "node:fs/promises";
import { parserFor } from "./detect-format.js";
import { parseCodexSessionMeta } from "./formats/codex-cli.js";
import { resumePoint, TAIL_BYTES, type StartReason, type TranscriptEntry } from "./offsets.js";
import { scanChunk, type Hit } from "./scan-chunk.js";

export const CHUNK_BYTES = 4 * 1024 * 1024;
// A Codex session header holds the base instructions: allow it room before giving up on it.
const MAX_HEADER_BYTES = 1024 * 1024;

export interface TailRead {
  hits: Hit[];
  /** The entry after this read: persist it. */
  entry: TranscriptEntry;
  /** Where this read started, and why there. */
  from: number;
  reason: StartReason;
  bytesRead: number;
}

/** The new complete lines of `file` and their phrases; undefined when the file is gone. */
export async function readAppended(file: string, entry: TranscriptEntry, chunkBytes = CHUNK_BYTES): Promise<TailRead | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    const now = { dev: stats.dev, ino: stats.ino, size: stats.size };
    if (entry.skip && now.dev === entry.dev && now.ino === entry.ino) {
      return { hits: [], entry: { ...entry, ...now, offset: now.size }, from: entry.offset, reason: "resume", bytesRead: 0 };
    }
    const sameFile = now.dev === entry.dev && now.ino === entry.ino && now.size >= entry.offset;
    const tailNow = sameFile && entry.tail !== undefined ? await tailHex(handle, entry.offset) : undefined;
    const { from, reason } = resumePoint(entry, now, tailNow);
    const fresh = reason !== "resume";
    let next: TranscriptEntry = {
      ...entry,
      ...now,
      offset: from,
      ...(fresh ? { parser: undefined, tail: undefined, mute: undefined, skip: undefined, checked: undefined } : {}),
    };
    if (next.format === "codex-cli" && !next.checked && now.size > from) {
      const header = await firstLine(handle, now.size);
      if (header === undefined) return { hits: [], entry: next, from, reason, bytesRead: 0 }; // still being written
      const meta = parseCodexSessionMeta(header);
      next = { ...next, checked: true, ...(meta?.source === "exec" || meta?.originator === "codex_exec" ? { skip: "codex exec session" } : {}) };
    }
    if (next.skip) return { hits: [], entry: { ...next, offset: now.size }, from, reason, bytesRead: 0 };

    const parser = parserFor(next.format, next.parser);
    const hits: Hit[] = [];
    let carry: Buffer | undefined;
    let consumedTo = from;
    let position = from;
    while (position < now.size) {
      const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, now.size - position));
      const length = await readFully(handle, buffer, position);
      if (length === 0) break; // shrank while we read: the next read sees the truncation
      const scanned = scanChunk(buffer.subarray(0, length), position, carry, parser);
      hits.push(...scanned.hits);
      carry = scanned.carry;
      consumedTo = scanned.consumedTo;
      position += length;
    }
    const muteBefore = next.mute; // undefined after a reset: the new content is all new
    next = {
      ...next,
      offset: consumedTo,
      parser: typeof parser === "function" ? undefined : parser.snapshot(),
      tail: consumedTo > 0 ? await tailHex(handle, consumedTo) : undefined,
      mute: muteBefore !== undefined && consumedTo < muteBefore ? muteBefore : undefined,
    };
    const heard = muteBefore === undefined ? hits : hits.filter((hit) => hit.offset >= muteBefore);
    return { hits: heard, entry: next, from, reason, bytesRead: position - from };
  } finally {
    await handle.close();
  }
}

/** Where an existing transcript's appended content begins, after its last line break, and the bytes before it. */
export async function endOfLastLine(file: string): Promise<{ offset: number; tail: string | undefined }> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    // Most transcripts end with a line break: look at their last 4 KiB first.
    for (const want of [4096, 64 * 1024]) {
      const span = Math.min(size, want);
      const buffer = Buffer.allocUnsafe(span);
      const length = await readFully(handle, buffer, size - span);
      const newline = buffer.subarray(0, length).lastIndexOf(0x0a);
      if (newline !== -1) {
        const offset = size - span + newline + 1;
        return { offset, tail: await tailHex(handle, offset) };
      }
      if (span === size) break;
    }
    // No line break in the last 64 KiB: a huge unfinished record; skip it whole.
    return { offset: size, tail: size > 0 ? await tailHex(handle, size) : undefined };
  } finally {
    await handle.close();
  }
}

async function tailHex(handle: FileHandle, end: number): Promise<string> {
  const start = Math.max(0, end - TAIL_BYTES);
  const buffer = Buffer.alloc(end - start);
  const length = await readFully(handle, buffer, start);
  return buffer.subarray(0, length).toString("hex");
}

async function firstLine(handle: FileHandle, size: number): Promise<string | undefined> {
  const buffer = Buffer.allocUnsafe(Math.min(size, MAX_HEADER_BYTES));
  let length = 0;
  while (length < buffer.length) {
    const step = await readFully(handle, buffer.subarray(length, Math.min(buffer.length, length + 64 * 1024)), length);
    if (step === 0) break;
    const newline = buffer.subarray(length, length + step).indexOf(0x0a);
    if (newline !== -1) return buffer.toString("utf8", 0, length + newline);
    length += step;
  }
  return length >= MAX_HEADER_BYTES ? "" : undefined; // "": no header to go by; undefined: still being written
}

async function readFully(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let length = 0;
  while (length < buffer.length) {
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, position + length);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return length;
}
