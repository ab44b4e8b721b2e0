// Which of a session's requests (its phrase records: made by the hook or taken from its transcript
// by the daemon) have a RESULT the agent has not been told about yet. Taking them marks them
// announced in `.relay/hook-announced/<id>`, created exclusively, so each RESULT is announced
// exactly once whichever hook gets there first (and a Stop hook that announces cannot keep an
// agent going round: the next stop finds nothing new). Only the session's awaiting requests are
// read: this runs on every prompt, however many the workspace has answered before.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Layout } from "../../protocol/layout.js";
import { awaitingIds, doneAwaiting, readAwaiting } from "../../protocol/phrase-records.js";
import { errnoCode } from "../../util/not-found.js";

const ANNOUNCED_DIR = "hook-announced";

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
    if (!existsSync(announcedFile(layout, id))) {
      const resultJson = layout.result(id, "json");
      if (!existsSync(resultJson)) continue; // still running: one stat, its record unread
      const [awaiting, result] = await Promise.all([readAwaiting(layout, sessionId, id), readSummary(resultJson)]);
      if (awaiting && result && (await markAnnounced(layout, id, now))) {
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

function announcedFile(layout: Layout, id: string): string {
  return path.join(layout.relay, ANNOUNCED_DIR, id);
}

/** Mark a request's RESULT as announced; false when it already was. */
async function markAnnounced(layout: Layout, id: string, now: Date): Promise<boolean> {
  await mkdir(path.join(layout.relay, ANNOUNCED_DIR), { recursive: true });
  try {
    await writeFile(announcedFile(layout, id), `${now.toISOString()}\n`, { flag: "wx" });
    return true;
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    throw error;
  }
}
