// Which of a session's requests (its phrase records: made by the hook or taken from its transcript
// by the daemon) have a RESULT the agent has not been told about yet. Taking them records them
// announced for the session (protocol/hook-sessions.ts), created exclusively, so each RESULT is
// announced at most once whichever hook gets there first (and a Stop hook that announces cannot
// keep an agent going round, whatever `stop_hook_active` says: the next stop finds nothing new).
// A RESULT the agent already read through `codex-relay wait|show` is recorded the same way and
// never announced. Only the session's awaiting requests are read: this runs on every prompt,
// however many the workspace has answered before.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { hasFact, recordFact } from "../../protocol/hook-sessions.js";
import type { Layout } from "../../protocol/layout.js";
import { awaitingIds, doneAwaiting, readAwaiting } from "../../protocol/phrase-records.js";

export interface Arrival {
  readonly id: string;
  readonly issue: string;
  readonly status: string;
  readonly summary: string;
  readonly resultMd: string;
  readonly resultJson: string;
}

export async function takeArrivals(layout: Layout, sessionId: string, now: Date): Promise<Arrival[]> {
  const arrivals: (Arrival & { readonly askedAt: string })[] = [];
  for (const id of await awaitingIds(layout, sessionId)) {
    if (!hasFact(layout, sessionId, `announced-${id}`)) {
      const resultJson = layout.result(id, "json");
      if (!existsSync(resultJson)) continue; // still running: one stat, its record unread
      const [awaiting, result] = await Promise.all([readAwaiting(layout, sessionId, id), readSummary(resultJson)]);
      if (awaiting && result && (await recordFact(layout, sessionId, `announced-${id}`, now))) {
        arrivals.push({ id, issue: awaiting.issue, askedAt: awaiting.created_at, ...result, resultMd: layout.result(id, "md"), resultJson });
      }
    }
    await doneAwaiting(layout, sessionId, id);
  }
  return arrivals.sort((a, b) => a.askedAt.localeCompare(b.askedAt)).map(({ askedAt: _, ...arrival }) => arrival);
}

// The RESULT .json is the commit point (PROTOCOL.md §3.4) and written whole, so it is read as
// plain JSON: `readResult` would validate it with zod, which costs a hook more start-up time than
// the two strings it needs are worth.
async function readSummary(file: string): Promise<{ status: string; summary: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined; // no RESULT yet
  }
  try {
    const data = JSON.parse(text) as Record<string, unknown>;
    const status = typeof data.status === "string" ? data.status : "unknown";
    const summary = typeof data.summary === "string" && data.summary.trim() ? data.summary : "(no summary; read the RESULT)";
    return { status, summary };
  } catch {
    return { status: "unknown", summary: "(the RESULT .json did not parse; read the .md)" };
  }
}
