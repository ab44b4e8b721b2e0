// Where a hook says what it could not do. It prints nothing (README, Editor integration: an editor
// may show a hook's stderr to the user, and nothing may disturb a prompt), so each note becomes one
// JSON line in `.autonomous_runs/.relay/hook.log.jsonl`, redacted like every file the relay writes.
// Only in a workspace the relay already uses: a hook never creates folders to complain in, so a
// note about a folder that is no relay workspace (or none at all) is dropped.
import { existsSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import type { Layout } from "../../protocol/layout.js";
import type { Redactor } from "../../security/redact.js";

export type HookLogEnv = Readonly<Record<string, string | undefined>>;

export async function logHookNote(layout: Layout, entry: { agent: string; note: string }, env: HookLogEnv, now: Date): Promise<void> {
  if (!existsSync(layout.relay)) return;
  const redactor = await redactorFor(layout, env); // loaded only when there is something to log
  const line = { at: now.toISOString(), level: "warn", event: "hook", agent: entry.agent, message: redactor.redact(entry.note) };
  await appendFile(layout.hookLogFile, `${JSON.stringify(line)}\n`);
}

// The workspace's own redactor; with a config that does not load (the note may be about just
// that), the secret shapes and the environment's secret-named values still apply.
async function redactorFor(layout: Layout, env: HookLogEnv): Promise<Redactor> {
  const { loadWorkspaceRedactor, secretEnvNames } = await import("../../context/workspace-redactor.js");
  const { createRedactor } = await import("../../security/redact.js");
  return loadWorkspaceRedactor(layout, env).catch(() => createRedactor({ env, envNames: secretEnvNames(env) }));
}
