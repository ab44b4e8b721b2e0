// Install codex-relay's hooks into an editor's project settings, idempotently: everything already
// there (other hooks, permissions, unknown keys) is kept, our entries are added only when no entry
// runs the same command, and a file that is already right is not rewritten. JSON, 2-space indent.
import { existsSync } from "node:fs";
import { mkdir, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { RelayError } from "../../errors.js";
import { writeFileAtomic } from "../../util/atomic-write.js";

/** The commands `init` installs; matching on them is how a second run knows they are there. */
export const HOOK_COMMANDS = {
  claudeCode: { UserPromptSubmit: "npx codex-relay hook claude-code", Stop: "npx codex-relay hook claude-code --event stop" },
  cursor: { beforeSubmitPrompt: "npx codex-relay hook cursor", stop: "npx codex-relay hook cursor --event stop" },
} as const;

type Json = Record<string, unknown>;

/** A hook entry `init` added. */
export interface InstalledHook {
  readonly event: string;
  readonly command: string;
}

/** `.claude/settings.json`: `hooks.<Event>` is a list of `{matcher?, hooks: [{type, command}]}`. */
export async function installClaudeCodeHooks(workspace: string): Promise<InstalledHook[]> {
  const file = path.join(workspace, ".claude", "settings.json");
  return updateJsonFile(file, {}, (settings) => {
    const hooks = objectAt(settings, "hooks", file);
    const added: InstalledHook[] = [];
    for (const [event, command] of Object.entries(HOOK_COMMANDS.claudeCode)) {
      const groups = listAt(hooks, event, file, "hooks");
      const present = groups.some((group) => isObject(group) && Array.isArray(group.hooks) && group.hooks.some((h) => isObject(h) && h.command === command));
      if (present) continue;
      groups.push({ hooks: [{ type: "command", command }] });
      added.push({ event, command });
    }
    return added;
  });
}

/** `.cursor/hooks.json`: `{version: 1, hooks: {<event>: [{command}]}}`. */
export async function installCursorHooks(workspace: string): Promise<InstalledHook[]> {
  const file = path.join(workspace, ".cursor", "hooks.json");
  return updateJsonFile(file, { version: 1 }, (config) => {
    const hooks = objectAt(config, "hooks", file);
    const added: InstalledHook[] = [];
    for (const [event, command] of Object.entries(HOOK_COMMANDS.cursor)) {
      const entries = listAt(hooks, event, file, "hooks");
      if (entries.some((entry) => isObject(entry) && entry.command === command)) continue;
      entries.push({ command });
      added.push({ event, command });
    }
    return added;
  });
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
