// While a client waits for a RESULT, say each Codex reconnect attempt of the request on stderr as
// it lands in the request's event log (CODEX_DELEGATION_LOG_<id>.jsonl), whoever runs it: the
// daemon or this process. A directory watch wakes it, only the appended bytes are read, and lines
// are matched without zod; a slow poll covers an event the watch misses.
import { watch } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { isReconnectMessage, RECONNECT_LOG_EVENT } from "../codex/reconnect.js";
import type { Layout } from "../protocol/layout.js";

const FALLBACK_POLL_MS = 1000;
const NEWLINE = 0x0a;

export interface ReconnectFollower {
  /** Read what is left, then stop watching. */
  stop(): Promise<void>;
}

/** `say` gets one line per reconnect attempt, numbered from the start of the log. */
export function followReconnects(layout: Layout, id: string, say: (line: string) => void): ReconnectFollower {
  const file = layout.log(id);
  const name = path.basename(file);
  let offset = 0;
  let partial = Buffer.alloc(0);
  let attempts = 0;
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
    const handle = await open(file, "r").catch(() => undefined); // no log yet: Codex has not started
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
      for (const line of bytes.subarray(0, end + 1).toString("utf8").split("\n")) {
        const message = reconnectMessage(line);
        if (message !== undefined) say(`codex-relay: ${id}: ${RECONNECT_LOG_EVENT} (${(attempts += 1)}): ${message}\n`);
      }
    } finally {
      await handle.close();
    }
  }

  const watcher = (() => {
    try {
      return watch(layout.inbox, (_event, changed) => {
        if (changed === name) void wake();
      });
    } catch {
      return undefined; // no inbox to watch: the poll still reads
    }
  })();
  watcher?.on("error", () => watcher.close());
  const poll = setInterval(() => void wake(), FALLBACK_POLL_MS);
  void wake();
  return {
    async stop() {
      watcher?.close();
      clearInterval(poll);
      await wake();
    },
  };
}

/** The message of a reconnect event line of the log, else undefined. */
function reconnectMessage(line: string): string | undefined {
  if (!line.includes('"error"')) return undefined; // most lines: no parse
  try {
    const event = JSON.parse(line) as { type?: unknown; message?: unknown };
    return event.type === "error" && typeof event.message === "string" && isReconnectMessage(event.message) ? event.message : undefined;
  } catch {
    return undefined; // a line that is not JSON is not a reconnect
  }
}
