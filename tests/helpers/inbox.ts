// Driving a workspace's inbox and reading what the daemon made of it: requests published as
// PROTOCOL.md §3.1 tells other writers to, RESULTs, log events and the audit branch.
import { execFileSync } from "node:child_process";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { AUDIT_BRANCH } from "../../src/git/audit-branch.js";
import { logEvents, type TestWorkspace } from "./relay-workspace.js";

/** A hand-written request: a dot-prefixed temp name in the inbox, renamed into place. */
export async function publishByHand(w: TestWorkspace, id: string, issue: string): Promise<void> {
  const tmp = path.join(w.layout.inbox, `.CODEX_DELEGATION_REQUEST_${id}.md.tmp`);
  await writeFile(tmp, `## Issue\n${issue}\n`);
  await rename(tmp, w.layout.request(id));
}

/** The ids of the requests with a RESULT json (done, by PROTOCOL.md §3.4). */
export async function resultIds(w: TestWorkspace): Promise<string[]> {
  const names = await readdir(w.layout.inbox);
  return names.flatMap((name) => /^CODEX_DELEGATION_RESULT_(.+)\.json$/.exec(name)?.[1] ?? []);
}

export async function resultJson(w: TestWorkspace, id: string): Promise<any> {
  return JSON.parse(await readFile(w.layout.result(id, "json"), "utf8"));
}

/** The daemon's JSON log lines named `event` (for request `id`, if given). */
export function logged(w: TestWorkspace, event: string, id?: string): Record<string, unknown>[] {
  return logEvents(w.layout).filter((e) => e.event === event && (id === undefined || e.id === id));
}

/** The request ids of the audit branch's commits, newest first (one per commit); none without the branch. */
export function auditCommitIds(w: TestWorkspace): string[] {
  let subjects: string;
  try {
    subjects = execFileSync("git", ["-C", w.dir, "log", "--format=%s", AUDIT_BRANCH], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return []; // no audit branch yet
  }
  return subjects.split("\n").filter(Boolean).map((subject) => /^delegation (\S+):/.exec(subject)?.[1] ?? subject);
}
