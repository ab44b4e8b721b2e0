// Read codex-relay.toml, validate it in full, and hand out a deeply frozen resolved config.
// A missing file means all defaults; an invalid one is an error naming file, key, expected, found.
// This is the module that loads zod and smol-toml: a CLI reaches it through cached-config.ts, only
// when the daemon's cache cannot answer for the text.
import { parse as parseToml, TomlError } from "smol-toml";
import { z } from "zod";
import { RelayError } from "../errors.js";
import { deepFreeze } from "../util/deep-freeze.js";
import { readConfigText } from "./config-text.js";
import { ConfigSchema, type Config } from "./schema.js";

export async function loadConfig(configFile: string): Promise<Config> {
  return configFromText(await readConfigText(configFile), configFile);
}

/** The config a text of codex-relay.toml resolves to (null: no file, all defaults). */
export function configFromText(text: string | null, configFile: string): Config {
  if (text === null) return resolveConfig({}, configFile);
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : "";
    const first = (error as Error).message.split("\n")[0];
    throw new RelayError("invalid_config", `${configFile}${where}: not valid TOML: ${first}`, { cause: error });
  }
  return resolveConfig(raw, configFile);
}

/** Validate an already-parsed config object (the file's name is only for messages). */
export function resolveConfig(raw: unknown, configFile = "codex-relay.toml"): Config {
  // jitless: zod would otherwise compile a parser for each object of the schema on its first parse
  // (~20 ms of a `delegate`'s CPU); the config is parsed once per process, so that never pays back.
  const parsed = ConfigSchema.safeParse(raw, { jitless: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${describeIssue(issue, raw)}`);
    throw new RelayError("invalid_config", `${configFile} is invalid:\n${lines.join("\n")}`, { cause: parsed.error });
  }
  return deepFreeze(parsed.data);
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const key = issue.path.join(".") || "(top level)";
  if (issue.code === "unrecognized_keys") {
    const prefix = issue.path.length ? `${key}.` : "";
    return `unknown key ${issue.keys.map((k) => `\`${prefix}${k}\``).join(", ")}: remove it or check its spelling`;
  }
  const found = valueAt(raw, issue.path);
  return `key \`${key}\`: ${issue.message.replace(/^Invalid input: /, "")}; found ${describeValue(found)}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return `an array (${JSON.stringify(value).slice(0, 60)})`;
  if (typeof value === "object" && value !== null) return "a table";
  return `${typeof value} ${String(value)}`;
}
