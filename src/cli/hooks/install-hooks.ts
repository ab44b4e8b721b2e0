// Install codex-relay's hooks into an editor's project settings, idempotently: everything already
// there (other hooks, permissions, unknown keys) is kept, our entries are added once (an entry of
// ours with another launcher is rewritten in place, not doubled), and a file that is already right
// is not rewritten. JSON, 2-space indent.
import { existsSync } from "node:fs";
import { mkdir, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { RelayError } from "../../errors.js";
import { writeFileAtomic } from "../../util/atomic-write.js";

// How the editor starts codex-relay. A hook runs on every prompt: `npx` spends about half a second
// finding the package each time (measured here: 570 ms against 75 ms for the installed binary), so
// where the workspace has codex-relay installed the hook runs that binary directly. Claude Code runs
// hooks through a shell with CLAUDE_PROJECT_DIR set (its cwd, the project, when it is not).
// Cursor's hook working directory is not documented where we could verify it: npx stays.
const NPX = "npx codex-relay";
const CLAUDE_LOCAL = '"${CLAUDE_PROJECT_DIR:-.}"/node_modules/.bin/codex-relay';

/** The commands `init` installs for the workspace: the launcher, then the arguments per event. */
export function hookCommands(workspace: string): { claudeCode: Record<string, string>; cursor: Record<string, string> } {
  const claude = existsSync(path.join(workspace, "node_modules", ".bin", "codex-relay")) ? CLAUDE_LOCAL : NPX;
  return {
    claudeCode: { UserPromptSubmit: `${claude} hook claude-code`, Stop: `${claude} hook claude-code --event stop` },
    cursor: { beforeSubmitPrompt: `${NPX} hook cursor`, stop: `${NPX} hook cursor --event stop` },
  };
}

// Ours, whatever launcher an earlier `init` (or the user) put before `codex-relay`: the same hook
// arguments at the end. `hook claude-code` must not match `hook claude-code --event stop`.
function isOurs(command: unknown, wanted: string): boolean {
  if (typeof command !== "string") return false;
  const args = wanted.slice(wanted.indexOf(" hook ") + 1);
  const at = command.lastIndexOf(args);
  return at !== -1 && at + args.length === command.trimEnd().length && /codex-relay["']?\s+$/.test(command.slice(0, at));
}

type Json = Record<string, unknown>;

/** A hook entry `init` added, or one of ours it rewrote with the current launcher. */
export interface InstalledHook {
  readonly event: string;
  readonly command: string;
  readonly how: "added" | "updated";
}

/** `.claude/settings.json`: `hooks.<Event>` is a list of `{matcher?, hooks: [{type, command}]}`. */
export async function installClaudeCodeHooks(workspace: string): Promise<InstalledHook[]> {
  const file = path.join(workspace, ".claude", "settings.json");
  return updateJsonFile(file, {}, (settings) => {
    const hooks = objectAt(settings, "hooks", file);
    const changed: InstalledHook[] = [];
    for (const [event, command] of Object.entries(hookCommands(workspace).claudeCode)) {
      const groups = listAt(hooks, event, file, "hooks");
      const entries = groups.flatMap((group) => (isObject(group) && Array.isArray(group.hooks) ? group.hooks.filter(isObject) : []));
      const change = upsert(entries, event, command, () => groups.push({ hooks: [{ type: "command", command }] }));
      if (change) changed.push(change);
    }
    return changed;
  });
}

/** `.cursor/hooks.json`: `{version: 1, hooks: {<event>: [{command}]}}`. */
export async function installCursorHooks(workspace: string): Promise<InstalledHook[]> {
  const file = path.join(workspace, ".cursor", "hooks.json");
  return updateJsonFile(file, { version: 1 }, (config) => {
    const hooks = objectAt(config, "hooks", file);
    const changed: InstalledHook[] = [];
    for (const [event, command] of Object.entries(hookCommands(workspace).cursor)) {
      const entries = listAt(hooks, event, file, "hooks");
      const change = upsert(entries.filter(isObject), event, command, () => entries.push({ command }));
      if (change) changed.push(change);
    }
    return changed;
  });
}

/** Leave an exact entry alone, rewrite one of ours with another launcher, or add one. */
function upsert(entries: Json[], event: string, command: string, add: () => void): InstalledHook | undefined {
  if (entries.some((entry) => entry.command === command)) return undefined;
  const older = entries.find((entry) => isOurs(entry.command, command));
  if (older) {
    older.command = command;
    return { event, command, how: "updated" };
  }
  add();
  return { event, command, how: "added" };
}

/** Read (or start from `initial`), let `change` edit in place and say what it added, write if it added anything. */
async function updateJsonFile(file: string, initial: Json, change: (data: Json) => InstalledHook[]): Promise<InstalledHook[]> {
  let data: Json = { ...initial };
  if (existsSync(file)) {
    const text = await readFile(file, "utf8");
    let parsed: unknown;
    try {
      parsed = text.trim() === "" ? {} : JSON.parse(text);
    } catch (error) {
      throw refuse(file, "is not valid JSON", error);
    }
    if (!isObject(parsed)) throw refuse(file, "is not a JSON object");
    data = parsed;
  }
  const added = change(data);
  if (added.length > 0) {
    // A settings file may be a symlink into the user's dotfiles: replace its target, not the link.
    const target = existsSync(file) ? await realpath(file) : file;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, `${JSON.stringify(data, null, 2)}\n`, path.dirname(target));
  }
  return added;
}

function objectAt(parent: Json, key: string, file: string): Json {
  const value = parent[key] ?? (parent[key] = {});
  if (!isObject(value)) throw refuse(file, `has a \`${key}\` that is not an object`);
  return value;
}

function listAt(parent: Json, key: string, file: string, where: string): unknown[] {
  const value = parent[key] ?? (parent[key] = []);
  if (!Array.isArray(value)) throw refuse(file, `has a \`${where}.${key}\` that is not a list`);
  return value;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Never overwrite a settings file we cannot read as expected: it holds the user's other settings.
function refuse(file: string, problem: string, cause?: unknown): RelayError {
  return new RelayError("invalid_config", `${file} ${problem}; its hooks were not installed`, {
    hint: `Fix ${path.basename(file)} (or move it aside), then run \`codex-relay init\` with the same flags again.`,
    ...(cause === undefined ? {} : { cause }),
  });
}
