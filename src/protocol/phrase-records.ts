// The phrase records: which `DELEGATE TO CODEX:` prompt of an editor session became which request.
// `codex-relay hook` (from the prompt) and the daemon's transcript watcher (from the session's
// transcript) both see the same prompt, in either order; they share these records so it makes one
// request whichever gets there first (PROTOCOL.md §7). Private state under
// `.autonomous_runs/.relay/hook-requests/` (named when only the hook wrote there):
//
// - `<sha256(session_id + "\n" + issue)>.json`, then `<same>.2.json`, `<same>.3.json`, … : one file
//   per time the session asked for that issue and it was taken (a generation). The issue is the one
//   `findPhrases` returns, unredacted: what both the hook and the watcher see.
// - A generation is created exclusively (`wx`) with `id: null` *before* the request is published and
//   rewritten whole with the id right after. Whoever creates it owns the ask; the other side finds
//   it taken and makes nothing (the hook tells the agent the id it finds there).
// - An ask is taken (`findTaken`) when the newest generation is pending (its request has no RESULT
//   .json yet, or it is a claim younger than STALE_CLAIM_MS) or unreadable (not ours to overrule).
//   When the asker knows when it was said (the watcher: the line's timestamp), it is also taken by
//   any generation with an id said within SAME_ASK_MS: a transcript read again must not ask anew
//   what was answered. Otherwise (answered before, or a claim abandoned by a crash) the next
//   generation is claimed: the user is asking again.
// - `hook-awaiting/<session_id, or sha256- and its hash>/<id>.json`: a record's request whose
//   RESULT the session has not been told about, written when the record gets its id. The hook reads
//   only its own session's few (usually none) on every prompt, not every record ever made.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { errnoCode } from "../util/not-found.js";
import { sha256 } from "../util/sha256.js";
import type { Layout } from "./layout.js";

export const PHRASE_RECORDS_DIR = "hook-requests";
const AWAITING_DIR = "hook-awaiting";

// A claim still without an id after this long belongs to a process that died mid-publish.
const STALE_CLAIM_MS = 60_000;
// A hook record is made within a second of the transcript's timestamp for the same prompt; the same
// issue asked again, after its answer arrived, this soon is very unlikely.
const SAME_ASK_MS = 10_000;

export interface PhraseRecord {
  /** The request id; null between claiming the ask and publishing its request. */
  readonly id: string | null;
  readonly session_id: string;
  /** The editor's transcript file, when known. */
  readonly transcript: string | null;
  /** The issue as said, secret shapes redacted (the file name is made from it unredacted). */
  readonly issue: string;
  readonly created_at: string;
  /** Who claimed it: the editor hook or the daemon's transcript watcher. */
  readonly by: "hook" | "transcript";
  /** When it was said: the hook's clock, or the transcript line's timestamp. */
  readonly said_at: string | null;
  /** The watcher's hash of the transcript line, so a watcher restarted mid-publish finishes its own claim. */
  readonly utterance: string | null;
}

/** One ask: a session saying `DELEGATE TO CODEX: <issue>`, at `saidAt` when the asker knows. */
export interface PhraseAsk {
  readonly sessionId: string;
  readonly issue: string;
  readonly saidAt?: Date;
}

/** A generation that has the ask; `record` undefined when its file did not read as ours. */
export interface TakenAsk {
  readonly file: string;
  readonly record: PhraseRecord | undefined;
}

export type PhraseClaim = ({ kind: "claimed" } & TakenAsk & { record: PhraseRecord }) | ({ kind: "taken" } & TakenAsk);

/** Generation 1 is `<key>.json` (the file name hook records always had), later ones `<key>.<n>.json`. */
export function phraseRecordFile(layout: Layout, sessionId: string, issue: string, generation = 1): string {
  const key = sha256(`${sessionId}\n${issue}`);
  return path.join(layout.relay, PHRASE_RECORDS_DIR, generation === 1 ? `${key}.json` : `${key}.${generation}.json`);
}

/** The generation that has this ask already, if any. */
export async function findTaken(layout: Layout, ask: PhraseAsk, now: Date): Promise<TakenAsk | undefined> {
  return (await scan(layout, ask, now)).taken;
}

/** Take the ask (a new generation, `id: null`) unless it is taken; ties go to whoever created the file first. */
export async function claimPhrase(layout: Layout, ask: PhraseAsk, claim: Omit<PhraseRecord, "id" | "session_id" | "created_at">, now: Date): Promise<PhraseClaim> {
  const found = await scan(layout, ask, now);
  if (found.taken) return { kind: "taken", ...found.taken };
  const file = phraseRecordFile(layout, ask.sessionId, ask.issue, found.next);
  const record: PhraseRecord = { id: null, session_id: ask.sessionId, created_at: now.toISOString(), ...claim };
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, `${JSON.stringify(record)}\n`, { flag: "wx" });
    return { kind: "claimed", file, record };
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") throw error;
    return { kind: "taken", file, record: await readPhraseRecord(file) }; // the other side, this instant
  }
}

/** Replace a record whole (readers see the old or the new one, never half); one with an id awaits its RESULT. */
export async function savePhraseRecord(layout: Layout, file: string, record: PhraseRecord): Promise<void> {
  if (record.id !== null) {
    const awaiting: AwaitingResult = { id: record.id, issue: record.issue, created_at: record.created_at };
    const dir = sessionAwaitingDir(layout, record.session_id);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${record.id}.json`), `${JSON.stringify(awaiting)}\n`);
  }
  await writeFileAtomic(file, `${JSON.stringify(record)}\n`, layout.tmp);
}

/** A session's request not yet announced to it, whether or not its RESULT exists. */
export interface AwaitingResult {
  readonly id: string;
  readonly issue: string;
  readonly created_at: string;
}

/** The ids of the session's requests awaiting announcement (a name each: their RESULTs decide which to read). */
export async function awaitingIds(layout: Layout, sessionId: string): Promise<string[]> {
  try {
    return (await readdir(sessionAwaitingDir(layout, sessionId))).flatMap((name) => (name.endsWith(".json") ? [name.slice(0, -".json".length)] : []));
  } catch {
    return []; // the session has asked for nothing (the common case: one failed readdir)
  }
}

/** One awaiting request's record; undefined when it is gone or half-written by a crash. */
export async function readAwaiting(layout: Layout, sessionId: string, id: string): Promise<AwaitingResult | undefined> {
  try {
    const v = JSON.parse(await readFile(path.join(sessionAwaitingDir(layout, sessionId), `${id}.json`), "utf8")) as Record<string, unknown>;
    return typeof v.id === "string" && typeof v.issue === "string" && typeof v.created_at === "string" ? { id: v.id, issue: v.issue, created_at: v.created_at } : undefined;
  } catch {
    return undefined;
  }
}

/** The session has been told about `id` (or never will be): stop looking for it. */
export async function doneAwaiting(layout: Layout, sessionId: string, id: string): Promise<void> {
  await rm(path.join(sessionAwaitingDir(layout, sessionId), `${id}.json`), { force: true });
}

/**
 * An editor session's folder name under the relay's per-session folders. Editors' session ids are
 * UUIDs, used as they are: hashing would load node:crypto on every prompt.
 */
export function sessionKey(sessionId: string): string {
  return /^[A-Za-z0-9_-]{1,128}$/.test(sessionId) ? sessionId : `sha256-${sha256(sessionId)}`;
}

function sessionAwaitingDir(layout: Layout, sessionId: string): string {
  return path.join(layout.relay, AWAITING_DIR, sessionKey(sessionId));
}

/** Give a claimed ask back (its request could not be published), so the other side may take it. */
export async function releasePhraseRecord(file: string): Promise<void> {
  await rm(file, { force: true });
}

export async function readPhraseRecord(file: string): Promise<PhraseRecord | undefined> {
  try {
    return asRecord(JSON.parse(await readFile(file, "utf8")));
  } catch {
    return undefined; // missing, or written by something else: not ours to use
  }
}

/** Whether `record` was made for an ask said at `saidAt` (and has its request). */
export function sameAsk(record: PhraseRecord, saidAt: Date): boolean {
  return record.id !== null && Math.abs(Date.parse(record.said_at ?? record.created_at) - saidAt.getTime()) <= SAME_ASK_MS;
}

// Generations are few (one per time a session re-asks an issue after its answer): probe them in order.
async function scan(layout: Layout, ask: PhraseAsk, now: Date): Promise<{ taken?: TakenAsk; next: number }> {
  let newest: TakenAsk | undefined;
  for (let generation = 1; ; generation += 1) {
    const file = phraseRecordFile(layout, ask.sessionId, ask.issue, generation);
    if (!existsSync(file)) return newest && pending(layout, newest.record, now) ? { taken: newest, next: generation } : { next: generation };
    const record = await readPhraseRecord(file);
    if (ask.saidAt && record && sameAsk(record, ask.saidAt)) return { taken: { file, record }, next: generation + 1 };
    newest = { file, record };
  }
}

function pending(layout: Layout, record: PhraseRecord | undefined, now: Date): boolean {
  if (record === undefined) return true;
  if (record.id === null) return now.getTime() - Date.parse(record.created_at) < STALE_CLAIM_MS;
  return !existsSync(layout.result(record.id, "json"));
}

// Records are our own files, but a hand edit must not crash a hook: keep only the shape we wrote.
// Records from before the watcher wrote here lack `by`, `said_at` and `utterance`: the hook's.
function asRecord(value: unknown): PhraseRecord | undefined {
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
    by: v.by === "transcript" ? "transcript" : "hook",
    said_at: typeof v.said_at === "string" ? v.said_at : null,
    utterance: typeof v.utterance === "string" ? v.utterance : null,
  };
}
