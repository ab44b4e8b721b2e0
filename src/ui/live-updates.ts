// Server-sent events for the dashboard: one `change` event (debounced) whenever a file of the
// inbox, the claims, out/ or progress/ changes, so the page re-reads what it shows; a request's
// event log growing is only a `log` event with its id (Codex appends to it all the time, and only
// the pane showing that request needs it). Folders that do not exist yet are looked for again on
// each heartbeat (never created: the page writes nothing).
import { existsSync, watch, type FSWatcher } from "node:fs";
import type { ServerResponse } from "node:http";
import type { Layout } from "../protocol/layout.js";

const EVENT_LOG = /^CODEX_DELEGATION_LOG_(\d{8}_\d{6}(?:_\d+)?)\.jsonl$/;

const DEBOUNCE_MS = 80;
const HEARTBEAT_MS = 15_000;

export interface LiveUpdates {
  /** Keep `res` open as an event stream until the client goes. */
  add(res: ServerResponse): void;
  close(): void;
}

export function liveUpdates(layout: Layout): LiveUpdates {
  const clients = new Set<ServerResponse>();
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let listChanged = false;
  const logsChanged = new Set<string>();
  const send = (text: string) => {
    for (const res of clients) res.write(text);
  };
  const flush = () => {
    if (listChanged) send(`event: change\ndata: ${Date.now()}\n\n`);
    for (const id of logsChanged) send(`event: log\ndata: ${id}\n\n`);
    listChanged = false;
    logsChanged.clear();
  };
  const changed = (_event?: string, name?: string | Buffer | null) => {
    const log = typeof name === "string" ? EVENT_LOG.exec(name)?.[1] : undefined;
    if (log) logsChanged.add(log);
    else listChanged = true;
    clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  };
  const watchFolders = () => {
    for (const dir of [layout.inbox, layout.claims, layout.out, layout.progress]) {
      if (watchers.has(dir) || !existsSync(dir)) continue;
      const watcher = watch(dir, changed);
      watcher.on("error", () => {
        watcher.close(); // the folder went away: looked for again on the next heartbeat
        watchers.delete(dir);
      });
      watchers.set(dir, watcher);
      if (clients.size > 0) changed(); // a folder that appeared holds news
    }
  };
  watchFolders();
  const heartbeat = setInterval(() => {
    watchFolders();
    send(": heartbeat\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    add(res) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      res.write("retry: 1000\n\n");
      clients.add(res);
      res.on("close", () => clients.delete(res));
    },
    close() {
      clearTimeout(timer);
      clearInterval(heartbeat);
      for (const watcher of watchers.values()) watcher.close();
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
