// Facts about the installed Codex that a run needs: its version (recorded in every RESULT), the
// user's own Codex config (for provider env keys), and whether it is logged in.
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { parse as parseToml } from "smol-toml";

const versions = new Map<string, Promise<string | null>>();

/** `codex --version` ("codex-cli 0.169.0" → "0.169.0"), cached per binary. */
export function codexVersion(bin: string): Promise<string | null> {
  let version = versions.get(bin);
  if (!version) {
    version = execa(bin, ["--version"], { stdin: "ignore", reject: false, timeout: 10_000 }).then((r) =>
      r.exitCode === 0 ? String(r.stdout).trim().replace(/^codex(?:-cli)?\s+/, "") : null,
    );
    versions.set(bin, version);
  }
  return version;
}

export function codexHome(env: Readonly<Record<string, string | undefined>>): string {
  return env.CODEX_HOME || path.join(env.HOME || os.homedir(), ".codex");
}

/** The user's $CODEX_HOME/config.toml as an object, or {} when absent or unreadable. */
export async function readCodexUserConfig(env: Readonly<Record<string, string | undefined>>): Promise<Record<string, unknown>> {
  try {
    return parseToml(await readFile(path.join(codexHome(env), "config.toml"), "utf8")) as Record<string, unknown>;
  } catch {
    return {}; // no user config (or one Codex itself will complain about): nothing to learn from it
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

const loggedIn = new Map<string, number>();
const LOGIN_CACHE_MS = 5 * 60_000;

/** `codex login status` exit code 0, remembered for a few minutes when positive. */
export async function isLoggedIn(bin: string, env: Record<string, string>): Promise<boolean> {
  const key = `${bin}\0${env.CODEX_HOME ?? ""}\0${env.HOME ?? ""}`;
  const at = loggedIn.get(key);
  if (at !== undefined && Date.now() - at < LOGIN_CACHE_MS) return true;
  const result = await execa(bin, ["login", "status"], { env, extendEnv: false, stdin: "ignore", reject: false, timeout: 15_000 });
  if (result.exitCode === 0) loggedIn.set(key, Date.now());
  return result.exitCode === 0;
}
