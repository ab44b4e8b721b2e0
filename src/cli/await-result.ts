// Wait until a request's RESULT .json (the commit point) exists: a directory watch for speed,
// a slow poll in case the watch misses an event.
import { watch } from "node:fs";
import type { Layout } from "../protocol/layout.js";
import type { ResultFile } from "../protocol/result.js";
import { readResult } from "../report/result-file.js";

export async function awaitResult(layout: Layout, id: string, timeoutMs?: number): Promise<ResultFile | undefined> {
  const existing = await readResult(layout, id);
  if (existing) return existing;
  return new Promise((resolve) => {
    let settled = false;
    const check = async () => {
      const result = await readResult(layout, id);
      if (result && !settled) finish(result);
    };
    const watcher = watch(layout.inbox, (_event, name) => {
      if (name === `CODEX_DELEGATION_RESULT_${id}.json`) void check();
    });
    const poll = setInterval(() => void check(), 1000);
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish(undefined), timeoutMs);
    function finish(result: ResultFile | undefined) {
      settled = true;
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
      resolve(result);
    }
    void check(); // the RESULT may have landed between the first read and the watch
  });
}
