// Wait until a request's RESULT .json (the commit point, written last) exists: a directory watch
// wakes the client when it lands (watch-inbox.ts). In between the client sleeps: it spends its CPU
// on start-up, not on waiting.
import { resultName, type Layout } from "../protocol/layout.js";
import { readEndedResult, type EndedResult } from "./ended-result.js";
import { watchInboxFile } from "./watch-inbox.js";

export async function awaitResult(layout: Layout, id: string, timeoutMs?: number): Promise<EndedResult | undefined> {
  const existing = await readEndedResult(layout, id);
  if (existing) return existing;
  return new Promise((resolve) => {
    let settled = false;
    const check = async () => {
      const result = await readEndedResult(layout, id);
      if (result && !settled) finish(result);
    };
    const watch = watchInboxFile(layout, resultName(id, "json"), () => void check());
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish(undefined), timeoutMs);
    function finish(result: EndedResult | undefined) {
      settled = true;
      watch.close();
      clearTimeout(timer);
      resolve(result);
    }
    void check(); // the RESULT may have landed between the first read and the watch
  });
}
