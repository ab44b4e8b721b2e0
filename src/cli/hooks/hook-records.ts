// The records an editor hook keeps under `.autonomous_runs/.relay/` (private state, PROTOCOL.md §1):
//
// - `hook-requests/<sha256(session_id + "\n" + issue)>.json` — {id, session_id, transcript, issue,
//   created_at}: the hook turned this utterance into request `id`. The daemon's transcript watcher
//   skips a phrase whose record exists, so one utterance never makes two requests (§7). The record
//   is created (exclusively) *before* the request is published, with `id: null`, and rewritten with
//   the id right after: existence alone means "the hook has it".
// - `hook-announced/<id>` — the hook has told the agent that this request's RESULT arrived; it is
//   created exclusively, so each result is announced once, whichever hook gets there first.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Layout } from "../../protocol/layout.js";
import { writeFileAtomic } from "../../util/atomic-write.js";

export const HOOK_REQUESTS_DIR = "hook-requests";
export const HOOK_ANNOUNCED_DIR = "hook-announced";

export interface HookRequestRecord {
  /** The request id; null for the few milliseconds between claiming the utterance and publishing it. */
  readonly id: string | null;
  readonly session_id: string;
  /** The editor's transcript file, when the hook was told it. */
  readonly transcript: string | null;
  /** The issue as said (secret shapes redacted); the file name is made from it unredacted. */
  readonly issue: string;
  readonly created_at: string;
}

/** The record's file name: sha256 (hex) of the session id, a newline and the issue exactly as `findPhrases` returns it. */
export function hookRecordName(sessionId: string, issue: string): string {
  return `${createHash("sha256").update(`${sessionId}\n${issue}`).digest("hex")}.json`;
}

export function hookRecordFile(layout: Layout, sessionId: string, issue: string): string {
  return path.join(layout.relay, HOOK_REQUESTS_DIR, hookRecordName(sessionId, issue));
}

/** Create `file` (from hookRecordFile) unless it exists; false when the utterance was already taken. */
export async function claimHookRecord(file: string, record: HookRequestRecord): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, `${JSON.stringify(record)}\n`, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/** Replace a record whole (readers see the old or the new one, never half). */
export async function saveHookRecord(layout: Layout, file: string, record: HookRequestRecord): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(record)}\n`, layout.tmp);
}

export async function readHookRecord(file: string): Promise<HookRequestRecord | undefined> {
  try {
    return asRecord(JSON.parse(await readFile(file, "utf8")));
  } catch {
    return undefined; // missing, or written by something else: not ours to use
  }
}

/** Every record of one session, oldest first. */
export async function sessionHookRecords(layout: Layout, sessionId: string): Promise<HookRequestRecord[]> {
  const dir = path.join(layout.relay, HOOK_REQUESTS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return []; // no hook has written a record in this workspace yet
  }
  const records = await Promise.all(names.filter((n) => n.endsWith(".json")).map((n) => readHookRecord(path.join(dir, n))));
  return records
    .filter((r): r is HookRequestRecord => r !== undefined && r.session_id === sessionId)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export function announcedFile(layout: Layout, id: string): string {
  return path.join(layout.relay, HOOK_ANNOUNCED_DIR, id);
}

/** Mark a request's RESULT as announced; false when it already was. */
export async function markAnnounced(layout: Layout, id: string, now: Date): Promise<boolean> {
  const dir = path.join(layout.relay, HOOK_ANNOUNCED_DIR);
  await mkdir(dir, { recursive: true });
  try {
    await writeFile(announcedFile(layout, id), `${now.toISOString()}\n`, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

// Records are our own files, but a hand edit must not crash a hook: keep only the shape we wrote.
function asRecord(value: unknown): HookRequestRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.session_id !== "string" || typeof v.issue !== "string" || typeof v.created_at !== "string") return undefined;
  if (v.id !== null && typeof v.id !== "string") return undefined;
  return {
    id: v.id,
    session_id: v.session_id,
    transcript: typeof v.transcript === "string" ? v.transcript : null,
    issue: v.issue,
    created_at: v.created_at,
  };
}
