// While a client waits for a RESULT, follow what the request is doing from its event log
// (CODEX_DELEGATION_LOG_<id>.jsonl), whoever runs it: the daemon or this process. A directory
// watch wakes it and only the appended bytes are read (a slow poll only where the watch is
// unavailable). Each line goes through a ProgressTracker, which turns events into steps.
import { watch } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { ProgressTracker, type ProgressView } from "../codex/progress-step.js";
import type { Layout } from "../protocol/layout.js";

const FALLBACK_POLL_MS = 1000;
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
  const name = path.basename(file);
  const tracker = new ProgressTracker();
  let offset = 0;
  let partial = Buffer.alloc(0);
  let reading: Promise<void> = Promise.resolve();
  let queued = false;

  // One read at a time; events that arrive during a read ask for one more.
  const wake = (): Promise<void> => {
    if (queued) return reading;
    queued = true;
    reading = reading.then(async () => {
      queued = false;
      await readAppended();
    });
    return reading;
  };

  async function readAppended(): Promise<void> {
    const handle = await open(file, "r").catch(() => undefined); // no log yet: nobody has started the request
    if (!handle) return;
    try {
      const { size } = await handle.stat();
      if (size < offset) [offset, partial] = [0, Buffer.alloc(0)]; // replaced: read it anew
      if (size === offset) return;
      const chunk = Buffer.alloc(size - offset);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
      offset += bytesRead;
      // Split on bytes, so a character cut by the read's end stays whole for the next one.
      const bytes = Buffer.concat([partial, chunk.subarray(0, bytesRead)]);
      const end = bytes.lastIndexOf(NEWLINE);
      partial = Buffer.from(bytes.subarray(end + 1));
      for (const line of bytes.subarray(0, end + 1).toString("utf8").split("\n")) see(line);
    } finally {
      await handle.close();
    }
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

  // The poll only stands in for a watch that could not be set up or broke (the inbox went away).
  let poll: NodeJS.Timeout | undefined;
  const startPolling = () => (poll ??= setInterval(() => void wake(), FALLBACK_POLL_MS));
  const watcher = (() => {
    try {
      return watch(layout.inbox, (_event, changed) => {
        if (changed === name) void wake();
      });
    } catch {
      return undefined;
    }
  })();
  if (watcher) {
    watcher.on("error", () => {
      watcher.close();
      startPolling();
    });
  } else startPolling();
  void wake();
  return {
    async stop() {
      watcher?.close();
      clearInterval(poll);
      await wake();
    },
  };
}
