// Wait until a request's RESULT .json (the commit point, written last) exists: a directory watch
// wakes the client when it lands, and a slow poll covers an event the watch misses. Between the
// two the client sleeps: it spends its CPU on start-up, not on waiting.
import { watch } from "node:fs";
import type { Layout } from "../protocol/layout.js";
import { readFinishedResult, type FinishedResult } from "./finished-result.js";

const FALLBACK_POLL_MS = 1000;

export async function awaitResult(layout: Layout, id: string, timeoutMs?: number): Promise<FinishedResult | undefined> {
  const existing = await readFinishedResult(layout, id);
  if (existing) return existing;
  const name = `CODEX_DELEGATION_RESULT_${id}.json`;
  return new Promise((resolve) => {
    let settled = false;
    const check = async () => {
      const result = await readFinishedResult(layout, id);
      if (result && !settled) finish(result);
    };
    const watcher = watch(layout.inbox, (_event, changed) => {
      if (changed === name) void check();
    });
    watcher.on("error", () => watcher.close()); // the inbox went away: the poll still answers
    const poll = setInterval(() => void check(), FALLBACK_POLL_MS);
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish(undefined), timeoutMs);
    function finish(result: FinishedResult | undefined) {
      settled = true;
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
      resolve(result);
    }
    void check(); // the RESULT may have landed between the first read and the watch
  });
}
