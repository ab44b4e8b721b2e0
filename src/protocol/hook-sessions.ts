// What the editor hooks did for one editor session, so that nothing is said to it twice: private
// state under `.autonomous_runs/.relay/hook-sessions/<session key>/`, one empty-ish file per fact,
// each created exclusively (whoever creates it first acts; everyone else finds it and does not).
//
// - `announced-<id>`: the session has request <id>'s RESULT: a hook announced it, or the agent read
//   it through `codex-relay wait|show` run in that session (print-result.ts). A RESULT is announced at most once per
//   session, whatever `stop_hook_active` says.
// - `told-<id>`: the agent was told the id of a request made from something it said itself.
// - `event-<sha256>`: one hook event taken. Claude Code runs a hook installed twice (the plugin and
//   `.claude/settings.json`) twice per event, with the same input: the second run finds the first's
//   marker and does nothing. Markers older than EVENT_WINDOW_MS no longer count (an editor without
//   a per-prompt id may send the same input again for a new prompt) and are pruned at the end of a turn.
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { errnoCode } from "../util/not-found.js";
import type { Layout } from "./layout.js";
import { sessionKey } from "./phrase-records.js";

// Two installs of one hook start within a second of each other; a second identical input later
// than this is a new event.
const EVENT_WINDOW_MS = 30_000;

export type SessionFact = `announced-${string}` | `told-${string}`;

export function hasFact(layout: Layout, sessionId: string, fact: SessionFact): boolean {
  return existsSync(path.join(layout.hookSession(sessionKey(sessionId)), fact));
}

/** Record `fact` for the session; false when it was recorded already (someone else acts on it). */
export async function recordFact(layout: Layout, sessionId: string, fact: SessionFact, now: Date): Promise<boolean> {
  return createOnce(path.join(layout.hookSession(sessionKey(sessionId)), fact), now);
}

/**
 * The agent read request `id`'s RESULT through the CLI, in the session `sessionId` (Claude Code
 * gives its Bash tool's commands `CLAUDE_CODE_SESSION_ID`): the hooks do not announce it there.
 */
export async function markDelivered(layout: Layout, id: string, sessionId: string, now: Date): Promise<void> {
  await createOnce(path.join(layout.hookSession(sessionKey(sessionId)), `announced-${id}`), now);
}

/**
 * Take one hook event (`key`: a hash of what identifies it); false when another run of the same
 * hook took it within EVENT_WINDOW_MS. Exactly one of two concurrent runs gets true.
 */
export async function takeHookEvent(layout: Layout, sessionId: string, key: string, now: Date): Promise<boolean> {
  const file = path.join(layout.hookSession(sessionKey(sessionId)), `event-${key}`);
  if (await createOnce(file, now)) return true;
  const taken = await stat(file).catch(() => undefined);
  if (taken && now.getTime() - taken.mtimeMs < EVENT_WINDOW_MS) return false;
  // An old marker: move it aside (only one run can) and take the event anew; a run that lost the
  // move finds the winner's fresh marker.
  await rename(file, `${file}.old-${process.pid}`).then(
    () => rm(`${file}.old-${process.pid}`, { force: true }),
    () => undefined, // another run moved it first
  );
  return createOnce(file, now);
}

/** Remove the session's event markers that no longer count (run at the end of a turn). */
export async function pruneHookEvents(layout: Layout, sessionId: string, now: Date): Promise<void> {
  const dir = layout.hookSession(sessionKey(sessionId));
  const names = await readdir(dir).catch(() => [] as string[]); // nothing recorded yet
  for (const name of names.filter((n) => n.startsWith("event-"))) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined); // removed by a concurrent prune
    if (info && now.getTime() - info.mtimeMs >= EVENT_WINDOW_MS) await rm(file, { force: true });
  }
}

async function createOnce(file: string, now: Date): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, `${now.toISOString()}\n`, { flag: "wx" });
    return true;
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    throw error;
  }
}
