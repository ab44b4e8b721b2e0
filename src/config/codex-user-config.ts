// The user's own Codex configuration, read the way Codex reads it: where it lives, which provider
// it uses, and whether that provider needs `codex login`. No child processes here.
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export function codexHome(env: Readonly<Record<string, string | undefined>>): string {
  return env.CODEX_HOME || path.join(env.HOME || os.homedir(), ".codex");
}

/** The user's $CODEX_HOME/config.toml as an object, or {} when absent or unreadable. */
export async function readCodexUserConfig(env: Readonly<Record<string, string | undefined>>): Promise<Record<string, unknown>> {
  const read = await readCodexUserConfigChecked(env);
  return read.ok ? read.config : {}; // Codex itself will complain about a broken file; doctor says where
}

/** The same, telling a missing file ({}) from one that does not parse (for `doctor`). */
export async function readCodexUserConfigChecked(
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ ok: true; config: Record<string, unknown> } | { ok: false; file: string; message: string }> {
  const file = path.join(codexHome(env), "config.toml");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return { ok: true, config: {} }; // no user config: Codex's defaults apply
  }
  // The TOML reader is loaded only when there is a file to read: a CLI whose workspace config came
  // from the daemon's cache (cached-config.ts) loads it for nothing else.
  const { parse: parseToml } = await import("smol-toml");
  try {
    return { ok: true, config: parseToml(text) as Record<string, unknown> };
  } catch (error) {
    return { ok: false, file, message: (error as Error).message.split("\n")[0] ?? String(error) };
  }
}

/**
 * Whether Codex will need its own login: only with the built-in OpenAI provider and no API key in
 * the environment. A custom provider authenticates through its env_key.
 */
export function needsLogin(
  overrides: Readonly<Record<string, unknown>>,
  userConfig: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const provider = (overrides.model_provider ?? userConfig.model_provider ?? "openai") as unknown;
  if (provider !== "openai") return false;
  return !env.OPENAI_API_KEY && !env.CODEX_API_KEY;
}
