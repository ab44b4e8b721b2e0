// Read codex-relay.toml once, validate it, and hand out a deeply frozen resolved config.
// A missing file means all defaults; an invalid one is an error naming file, key, expected, found.
import { parse as parseToml, TomlError } from "smol-toml";
import { z } from "zod";
import { RelayError } from "../errors.js";
import { readIfExists } from "../util/read-if-exists.js";
import { ConfigSchema, type Config } from "./schema.js";

export async function loadConfig(configFile: string): Promise<Config> {
  let text: string | null;
  try {
    text = await readIfExists(configFile);
  } catch (error) {
    throw new RelayError("invalid_config", `cannot read ${configFile}: ${(error as Error).message}`, { cause: error });
  }
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

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
