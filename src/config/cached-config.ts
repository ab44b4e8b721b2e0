// The validated-config cache (issue 9, the waiting client). Checking codex-relay.toml needs zod and
// the TOML reader, most of a `delegate`'s start-up; the daemon has checked the same text already.
// So the daemon writes what it resolved to `.relay/config-cache.json`, keyed by the exact text and
// the build, and a CLI that finds the key of the text it just read uses that instead of checking it
// again. Any other cache (corrupt, stale, another build's) is ignored and the text checked in full,
// so a broken file is refused as before, whatever the cache holds. This module loads neither zod
// nor smol-toml: the full check (load-config.ts) is imported only when the cache cannot answer.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { writeFileAtomic } from "../util/atomic-write.js";
import { deepFreeze } from "../util/deep-freeze.js";
import { sha256 } from "../util/sha256.js";
import type { CodexUserEnvKeys } from "./codex-user-config.js";
import { readConfigText } from "./config-text.js";
import type { Config } from "./schema.js";

// Set by scripts/bundle-cli.mjs: a hash of the code that turns a text into a Config (schema,
// resolution, the zod, smol-toml and cron they run on). Unbundled (tests importing src/) there is
// none, and the cache is neither read nor written.
declare const CODEX_RELAY_CONFIG_BUILD: string | undefined;
const BUILD = typeof CODEX_RELAY_CONFIG_BUILD === "string" ? CODEX_RELAY_CONFIG_BUILD : undefined;

const FORMAT = "codex-relay/config-cache@1";

/** A config and where it came from: the text it was resolved from (null: no file) and that text's cache key. */
export interface LoadedConfig {
  readonly config: Config;
  readonly text: string | null;
  /** undefined when this build keeps no cache. */
  readonly key: string | undefined;
  /** From the cache: the daemon's reading of the user's Codex config (codexUserEnvKeys checks it is the same file). */
  readonly codexUser?: CodexUserEnvKeys | undefined;
}

/**
 * The workspace's config, deeply frozen: the cached resolution when `cacheFile` holds one for this
 * very text and build, else the text checked in full (an invalid one throws, naming the line or
 * key). Without `cacheFile` (the daemon, which writes the cache), always checked in full.
 */
export async function loadConfigUsingCache(configFile: string, cacheFile: string | undefined): Promise<LoadedConfig> {
  const text = await readConfigText(configFile);
  const key = cacheKey(text);
  const cached = key === undefined || cacheFile === undefined ? undefined : await readCache(cacheFile, key);
  if (cached !== undefined) return { ...cached, text, key };
  const { configFromText } = await import("./load-config.js");
  return { config: configFromText(text, configFile), text, key };
}

/**
 * Write the cache for a config the daemon loaded, atomically, into the existing `.relay` folder
 * (`tmpDir` is its temp folder). Nothing is written when a secret could reach the file: the
 * resolved config holds the toml's values verbatim, so when `redact` would change the text or the
 * resolved JSON, the cache is skipped and every CLI checks the file itself. Also skipped when JSON
 * would not give back the same config. A failed write only costs speed: it is never an error.
 * `codexUser` goes along: names of variables and a sha256, never the user's file itself.
 */
export async function writeConfigCache(cacheFile: string, tmpDir: string, loaded: LoadedConfig, codexUser: CodexUserEnvKeys, redact: (text: string) => string): Promise<boolean> {
  if (loaded.key === undefined) return false;
  const json = JSON.stringify(loaded.config);
  if ((loaded.text !== null && redact(loaded.text) !== loaded.text) || redact(json) !== json) return false;
  if (!isDeepStrictEqual(JSON.parse(json), loaded.config)) return false;
  try {
    if (!(await stat(path.dirname(cacheFile))).isDirectory()) return false; // only into a .relay folder that exists
    await writeFileAtomic(cacheFile, `${JSON.stringify({ format: FORMAT, key: loaded.key, config: loaded.config, codexUser })}\n`, tmpDir);
    return true;
  } catch {
    return false; // no cache: every CLI checks the file itself, as without one
  }
}

function cacheKey(text: string | null): string | undefined {
  if (BUILD === undefined) return undefined;
  // Node's version too: whether a `[[schedule]]` time zone exists is its ICU's answer.
  return sha256(`${FORMAT}\0${BUILD}\0${process.version}\0${text === null ? "no file" : `text\0${text}`}`);
}

async function readCache(cacheFile: string, key: string): Promise<{ config: Config; codexUser?: CodexUserEnvKeys } | undefined> {
  try {
    const entry = JSON.parse(await readFile(cacheFile, "utf8")) as { format?: unknown; key?: unknown; config?: unknown; codexUser?: unknown };
    if (entry.format !== FORMAT || entry.key !== key || entry.config === null || typeof entry.config !== "object") return undefined;
    return { config: deepFreeze(entry.config as Config), codexUser: isCodexUser(entry.codexUser) ? entry.codexUser : undefined };
  } catch {
    return undefined; // missing or unreadable: check the text in full, as without a cache
  }
}

function isCodexUser(value: unknown): value is CodexUserEnvKeys {
  const user = value as Partial<CodexUserEnvKeys> | null | undefined;
  return typeof user?.sha256 === "string" && Array.isArray(user.names) && user.names.every((name) => typeof name === "string");
}
