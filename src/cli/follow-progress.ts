// While a client waits for a RESULT, follow what the request is doing from its event log
// (CODEX_DELEGATION_LOG_<id>.jsonl), whoever runs it: the daemon or this process. A directory
// watch wakes it (watch-inbox.ts), the log stays open and only the appended bytes are read. Each
// line goes through a ProgressTracker, which turns events into steps.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import path from "node:path";
import { ProgressTracker, type ProgressView } from "../codex/progress-step.js";
import type { Layout } from "../protocol/layout.js";
import { watchInboxFile } from "./watch-inbox.js";

const COALESCE_MS = 25;
const NEWLINE = 0x0a;
// Streamed deltas of an item: its start already named the step, its completion ends it.
const IGNORED_LINE = /^\{"type":"item\.updated"/;

export interface ProgressFollower {
  /** Read what is left, then stop watching. */
  stop(): Promise<void>;
}

/** `onChange` gets the view after each line that changed it; `stepped` when the step did. */
export function followProgress(layout: Layout, id: string, onChange: (view: ProgressView, stepped: boolean) => void): ProgressFollower {
  const file = layout.log(id);
  const tracker = new ProgressTracker();
  let offset = 0;
  let partial = Buffer.alloc(0);
  let fd: number | undefined;
  let reading: Promise<void> = Promise.resolve();
  let queued = false;
  let soon: NodeJS.Timeout | undefined;

  // One read at a time; events that arrive during a read ask for one more.
  const wake = (): Promise<void> => {
    clearTimeout(soon);
    soon = undefined;
    if (queued) return reading;
    queued = true;
    reading = reading.then(() => {
      queued = false;
      try {
        readAppended();
      } catch {
        // the log went away under us: the next wake opens it anew
        closeQuietly();
      }
    });
    return reading;
  };
  // Codex writes its events in bursts (a command's start and end, the usage after a call): one
  // read a moment later takes a burst at once, rather than one read per line.
  const wakeSoon = () => void (soon ??= setTimeout(() => void wake(), COALESCE_MS));

  // Synchronous: a few bytes of a local file, where each of the thread pool's round trips (open,
  // fstat, read) woke a thread and then the event loop (a request of 6 steps: 260 → 205 context
  // switches in the client; its CPU moved within the noise).
  function readAppended(): void {
    if (fd === undefined) {
      try {
        fd = openSync(file, "r");
      } catch {
        return; // no log yet: nobody has started the request
      }
    }
    const { size } = fstatSync(fd);
    if (size < offset) [offset, partial] = [0, Buffer.alloc(0)]; // truncated: read it anew
    if (size === offset) return;
    const chunk = Buffer.alloc(size - offset);
    const bytesRead = readSync(fd, chunk, 0, chunk.length, offset);
    offset += bytesRead;
    // Split on bytes, so a character cut by the read's end stays whole for the next one.
    const bytes = Buffer.concat([partial, chunk.subarray(0, bytesRead)]);
    const end = bytes.lastIndexOf(NEWLINE);
    partial = Buffer.from(bytes.subarray(end + 1));
    for (const line of bytes.subarray(0, end + 1).toString("utf8").split("\n")) see(line);
  }

  function see(line: string): void {
    if (!line || IGNORED_LINE.test(line)) return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return; // a line that is not JSON says nothing about the run
    }
    const tokens = tracker.tokens;
    const stepped = tracker.see(event);
    if (stepped || tracker.tokens !== tokens) onChange(tracker, stepped);
  }

  function closeQuietly(): void {
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // closing a broken descriptor has nothing to report
    }
    fd = undefined;
  }

  const watch = watchInboxFile(layout, path.basename(file), wakeSoon);
  void wake();
  return {
    async stop() {
      watch.close();
      await wake();
      closeQuietly();
    },
  };
}
