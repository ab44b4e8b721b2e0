// Facts about the installed Codex that a run needs: its version (recorded in every RESULT) and
// whether it is logged in, and how.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { execFile } from "node:child_process";
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
    version = exitOf(bin, ["--version"], { timeout: 10_000 }).then((r) =>
      r.exitCode === 0 ? r.stdout.trim().replace(/^codex(?:-cli)?\s+/, "") : null,
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
  const result = await exitOf(bin, ["login", "status"], { env, timeout: 15_000 });
  if (result.exitCode === 0) loggedIn.set(key, Date.now());
  return result.exitCode === 0;
}

/** Which kind of login Codex's auth.json holds (ChatGPT tokens, a stored API key), never the values. */
export async function readCodexAuth(env: Readonly<Record<string, string | undefined>>): Promise<CodexAuth> {
  const text = await readFile(path.join(codexHome(env), "auth.json"), "utf8").catch(() => null); // no file: no stored login
  return codexAuthOf(text);
}

// A short question to Codex: its exit code (null: killed, timed out or never started) and stdout.
// node:child_process, not execa: this runs on the request path (see util/process-group.ts).
function exitOf(bin: string, args: readonly string[], options: { env?: Record<string, string>; timeout: number }): Promise<{ exitCode: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { ...options, encoding: "utf8", windowsHide: true }, (error, stdout) => {
      const code = (error as { code?: unknown } | null)?.code;
      resolve({ exitCode: error === null ? 0 : typeof code === "number" && error.killed !== true ? code : null, stdout });
    });
    child.stdin?.end(); // stdin closed, as for every child
  });
}
