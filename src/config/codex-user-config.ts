// The user's own Codex configuration, read the way Codex reads it: where it lives, which provider
// it uses, and whether that provider needs `codex login`. No child processes here.
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { providerEnvKeys } from "../security/child-env.js";
import { sha256 } from "../util/sha256.js";

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
  const file = userConfigFile(env);
  const text = await readUserText(file);
  return text === null ? { ok: true, config: {} } : parseUserText(file, text);
}

/** The variables the user's Codex providers take keys from, and the sha256 of the file they were read from ("none": no file). */
export interface CodexUserEnvKeys {
  readonly sha256: string;
  readonly names: readonly string[];
}

/**
 * The key variables of the user's Codex providers (secrets wherever they appear). `known` (the
 * daemon's, from its config cache) answers when the file's text is the one it was read from, so a
 * CLI need not load the TOML reader; otherwise the file is read in full.
 */
export async function codexUserEnvKeys(env: Readonly<Record<string, string | undefined>>, known?: CodexUserEnvKeys): Promise<CodexUserEnvKeys> {
  const file = userConfigFile(env);
  const text = await readUserText(file);
  const hash = text === null ? "none" : sha256(text);
  if (known?.sha256 === hash) return known;
  const read = text === null ? undefined : await parseUserText(file, text);
  return { sha256: hash, names: providerEnvKeys(read?.ok ? read.config : {}) };
}

function userConfigFile(env: Readonly<Record<string, string | undefined>>): string {
  return path.join(codexHome(env), "config.toml");
}

async function readUserText(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return null; // no user config: Codex's defaults apply
  }
}

async function parseUserText(file: string, text: string): Promise<{ ok: true; config: Record<string, unknown> } | { ok: false; file: string; message: string }> {
  // The TOML reader is loaded only when there is a file to read and no cache answered for it.
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
