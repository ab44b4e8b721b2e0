// Wake a waiting client when one file of the inbox changes: a directory watch (inotify, no CPU
// while nothing happens), and a slow poll only where the watch cannot be set up or breaks (the
// inbox removed under it). Shared by the RESULT wait and the progress follower.
import { watch } from "node:fs";
import type { Layout } from "../protocol/layout.js";

const FALLBACK_POLL_MS = 1000;

export interface InboxWatch {
  close(): void;
}

/** `onChange` is called when the inbox file `name` changes (or on each poll, without a watch). */
export function watchInboxFile(layout: Layout, name: string, onChange: () => void): InboxWatch {
  let poll: NodeJS.Timeout | undefined;
  const startPolling = () => (poll ??= setInterval(onChange, FALLBACK_POLL_MS));
  const watcher = (() => {
    try {
      return watch(layout.inbox, (_event, changed) => {
        if (changed === name) onChange();
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
  return {
    close() {
      watcher?.close();
      clearInterval(poll);
    },
  };
}
