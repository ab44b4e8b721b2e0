// Reads what was appended to one transcript since its entry's offset, in bounded chunks through
// scanChunk: the cost follows the appended bytes, never the file's size (plus one 32-byte read that
// tells a grown file from a rewritten one). Rotation, truncation and rewrites restart at byte 0.
import { open, type FileHandle } from "node:fs/promises";
import { isNotFound } from "../util/not-found.js";
import { parserFor } from "./detect-format.js";
import { codexSessionSkip, parseCodexSessionMeta } from "./formats/codex-cli.js";
import { resumePoint, TAIL_BYTES, type StartReason, type TranscriptEntry } from "./offsets.js";
import { scanChunk, type Hit, type LineParser, type RecordParser } from "./scan-chunk.js";

export const CHUNK_BYTES = 4 * 1024 * 1024;
const PAGE_BYTES = 4096;
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
    if (isNotFound(error)) return undefined;
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
      const skip = codexSessionSkip(parseCodexSessionMeta(header));
      next = { ...next, checked: true, ...(skip ? { skip } : {}) };
    }
    if (next.skip) return { hits: [], entry: { ...next, offset: now.size }, from, reason, bytesRead: 0 };

    const parser = parserFor(next.format, next.parser);
    const scanned = from < now.size ? await scanRange(handle, from, now.size, chunkBytes, parser) : { hits: [], consumedTo: from, end: from };
    const { hits, consumedTo } = scanned;
    const muteBefore = next.mute; // undefined after a reset: the new content is all new
    next = {
      ...next,
      offset: consumedTo,
      parser: typeof parser === "function" ? undefined : parser.snapshot(),
      tail: consumedTo > 0 ? await tailHex(handle, consumedTo) : undefined,
      mute: muteBefore !== undefined && consumedTo < muteBefore ? muteBefore : undefined,
    };
    const heard = muteBefore === undefined ? hits : hits.filter((hit) => hit.offset >= muteBefore);
    return { hits: heard, entry: next, from, reason, bytesRead: scanned.end - from };
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

/**
 * Scans the file's bytes [from, size) chunk by chunk; `end` is where reading stopped (before `size`
 * when the file shrank meanwhile). Only phrase-bearing lines are decoded (scanChunk).
 */
async function scanRange(handle: FileHandle, from: number, size: number, chunkBytes: number, parser: RecordParser | LineParser): Promise<{ hits: Hit[]; consumedTo: number; end: number }> {
  const hits: Hit[] = [];
  let carry: Buffer | undefined;
  let consumedTo = from;
  // Reads start on a page boundary of the file (the bytes before `from` are read, not scanned) and
  // a large read goes into page-aligned buffers a whole number of pages long: the kernel then copies
  // page cache to buffer at equal page offsets. A malloc'd Buffer starts 16 bytes into a page, and
  // copying to 1–31 bytes past the source's page offset runs 4–5x slower (4K aliasing; 200 MB
  // from the page cache on the 2-core AMD EPYC box: 25–35 ms aligned, 120–160 ms not).
  let position = from - (from % PAGE_BYTES);
  // Two buffers, allocated once per call: the next chunk is read (off the main thread) while this
  // one is searched, and no chunk costs a fresh allocation. Nothing scanned keeps a reference into
  // them (the carry is a copy).
  const span = Math.min(chunkBytes, size - position);
  const buffers: Buffer[] = [readBuffer(span)];
  let pending: Promise<number> | undefined = readFully(handle, buffers[0]!, position);
  try {
    for (let turn = 0; pending; turn ^= 1) {
      const length = await pending;
      pending = undefined;
      if (length === 0) break; // shrank while we read: the next read sees the truncation
      const after = position + length;
      if (after < size) {
        const spare = (buffers[turn ^ 1] ??= readBuffer(span));
        pending = readFully(handle, spare.subarray(0, Math.min(span, size - after)), after);
      }
      const skip = Math.max(0, from - position); // the first chunk's bytes before `from`
      if (skip < length) {
        const scanned = scanChunk(buffers[turn]!.subarray(skip, length), position + skip, carry, parser);
        for (const hit of scanned.hits) hits.push(hit);
        carry = scanned.carry;
        consumedTo = scanned.consumedTo;
      }
      position = after;
    }
  } finally {
    await pending?.catch(() => undefined); // a scan threw: let the read in flight end before the handle closes
  }
  return { hits, consumedTo, end: Math.max(from, position) };
}

// Small reads (an append or two) get an ordinary Buffer: alignment only pays on large copies.
const ALIGNED_FROM_BYTES = 64 * 1024;
// A resizable ArrayBuffer's memory comes from V8's page allocator, so it starts on a page boundary;
// a plain Buffer this size comes from malloc. (The constructor's options are ES2024 typing.)
const PagedArrayBuffer = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer;

function readBuffer(length: number): Buffer {
  if (length < ALIGNED_FROM_BYTES) return Buffer.allocUnsafe(length);
  return Buffer.from(new PagedArrayBuffer(length, { maxByteLength: length }), 0, length);
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
