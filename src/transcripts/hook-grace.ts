// Claude Code may write a prompt to the session transcript before its UserPromptSubmit hook has
// claimed it: the two run side by side. Either way one request is made (the phrase records decide,
// protocol/phrase-records.ts), but the hook's is the better one: it carries the whole prompt and the
// hook tells the agent its id at once. So for a prompt said moments ago, in a workspace whose Claude
// Code settings run `codex-relay hook claude-code` or enable the codex-relay plugin, the watcher
// lets the hook go first for up to GRACE_MS. The wait is async: only this transcript's next read waits; other transcripts, the
// request queue and the daemon go on.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { RelayContext } from "../context/relay-context.js";
import { findTaken, type PhraseAsk, type TakenAsk } from "../protocol/phrase-records.js";
import { claudeConfigDir } from "./watch-targets.js";

// Hooks start in well under 200 ms when the machine is not busy (`npm run bench`); 1.5 s leaves
// room for a busy one without holding a hookless session's requests up for long.
const GRACE_MS = 1500;
const GRACE_POLL_MS = 25;
// Only a prompt said this recently can still have a hook running: lines read again, or a session
// read from its start, do not wait.
const FRESH_MS = 10_000;
// How the command `init --claude-code` installs (and any hand-written variant) is recognised.
const HOOK_COMMAND = "hook claude-code";
// The codex-relay plugin (claude-plugin/), enabled from any marketplace: `enabledPlugins` holds
// `"codex-relay@<marketplace>": true`.
const PLUGIN_ENABLED = /"codex-relay@[^"]*"\s*:\s*true/;

/** The hook's claim of `ask` if one appears within the grace; undefined when none did or none can. */
export async function awaitHookClaim(ctx: RelayContext, ask: PhraseAsk): Promise<TakenAsk | undefined> {
  if (ask.saidAt === undefined || Math.abs(ctx.now().getTime() - ask.saidAt.getTime()) > FRESH_MS) return undefined;
  if (!(await claudeCodeHookInstalled(ctx))) return undefined;
  const deadline = Date.now() + GRACE_MS;
  while (Date.now() < deadline) {
    await delay(GRACE_POLL_MS);
    const taken = await findTaken(ctx.layout, ask, ctx.now());
    if (taken) return taken;
  }
  return undefined;
}

// Project settings (shared and local) and the user's (in CLAUDE_CONFIG_DIR when set, as Claude Code
// reads them): the ones that apply to a session in this
// workspace. Read each time (a few small files, only for a fresh prompt that says the phrase), so
// installing the hook while the daemon runs counts at once.
async function claudeCodeHookInstalled(ctx: RelayContext): Promise<boolean> {
  const files = [
    path.join(ctx.layout.workspace, ".claude", "settings.json"),
    path.join(ctx.layout.workspace, ".claude", "settings.local.json"),
    path.join(claudeConfigDir(ctx.env), "settings.json"),
  ];
  for (const file of files) {
    const text = await readFile(file, "utf8").catch(() => ""); // no such settings: no hook there
    if (text.includes(HOOK_COMMAND) || PLUGIN_ENABLED.test(text)) return true;
  }
  return false;
}
