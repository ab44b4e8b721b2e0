// Turn the `[codex.config]` table into `-c key=value` arguments for Codex. Nested tables are
// flattened to dotted keys so each leaf overrides just that setting of the user's own config.
// Pure.
import { RelayError } from "../errors.js";

export function configOverrideArgs(table: Readonly<Record<string, unknown>>): string[] {
  const args: string[] = [];
  for (const [key, value] of flatten(table, "")) args.push("-c", `${key}=${tomlInline(value)}`);
  return args;
}

function* flatten(table: Readonly<Record<string, unknown>>, prefix: string): Generator<[string, unknown]> {
  for (const [key, value] of Object.entries(table)) {
    // Codex splits a `-c` key on every "." and takes each part literally (no TOML key quoting),
    // so a key part with "." or "=" cannot be expressed at all.
    if (/[.=]/.test(key)) {
      throw new RelayError("invalid_config", `codex.config key \`${prefix}${key}\` contains "." or "=", which codex's -c overrides cannot express`);
    }
    const dotted = prefix + key;
    if (isTable(value)) yield* flatten(value, `${dotted}.`);
    else yield [dotted, value];
  }
}

/** A value as TOML inline syntax (JSON strings are TOML basic strings, once DEL is escaped too). */
export function tomlInline(value: unknown): string {
  if (typeof value === "string") return tomlString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlInline).join(", ")}]`;
  if (isTable(value)) {
    const pairs = Object.entries(value).map(([k, v]) => `${tomlString(k)} = ${tomlInline(v)}`);
    return `{ ${pairs.join(", ")} }`;
  }
  return tomlString(String(value));
}

function tomlString(text: string): string {
  return JSON.stringify(text).replace(/\x7f/g, "\\u007f");
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
