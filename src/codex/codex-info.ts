// Facts about the installed Codex that a run needs: its version (recorded in every RESULT) and
// whether it is logged in, and how.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { fileStamp } from "./resolve-bin.js";
import { codexHome } from "../config/codex-user-config.js";
import { codexAuthOf, type CodexAuth } from "./gateway-plan.js";

const versions = new Map<string, Promise<string | null>>();

/**
 * `codex --version` ("codex-cli 0.169.0" → "0.169.0"), cached per binary and its file stamp:
 * an upgrade in place (npm i -g) is seen by the next run without a process per request.
 */
export function codexVersion(bin: string): Promise<string | null> {
  const key = `${bin}\0${fileStamp(bin)}`;
  let version = versions.get(key);
  if (!version) {
    version = execa(bin, ["--version"], { stdin: "ignore", reject: false, timeout: 10_000 }).then((r) =>
      r.exitCode === 0 ? String(r.stdout).trim().replace(/^codex(?:-cli)?\s+/, "") : null,
    );
    versions.set(key, version);
  }
  return version;
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

/** Which kind of login Codex's auth.json holds (ChatGPT tokens, a stored API key), never the values. */
export async function readCodexAuth(env: Readonly<Record<string, string | undefined>>): Promise<CodexAuth> {
  const text = await readFile(path.join(codexHome(env), "auth.json"), "utf8").catch(() => null); // no file: no stored login
  return codexAuthOf(text);
}
