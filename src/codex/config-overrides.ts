// Turn the `[codex.config]` table into `-c key=value` arguments for Codex. Nested tables are
// flattened to dotted keys so each leaf overrides just that setting of the user's own config.
// Pure.

export function configOverrideArgs(table: Readonly<Record<string, unknown>>): string[] {
  const args: string[] = [];
  for (const [key, value] of flatten(table, "")) args.push("-c", `${key}=${tomlInline(value)}`);
  return args;
}

function* flatten(table: Readonly<Record<string, unknown>>, prefix: string): Generator<[string, unknown]> {
  for (const [key, value] of Object.entries(table)) {
    const dotted = prefix + (/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key));
    if (isTable(value)) yield* flatten(value, `${dotted}.`);
    else yield [dotted, value];
  }
}

/** A value as TOML inline syntax (JSON strings are valid TOML basic strings). */
export function tomlInline(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlInline).join(", ")}]`;
  if (isTable(value)) {
    const pairs = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)} = ${tomlInline(v)}`);
    return `{ ${pairs.join(", ")} }`;
  }
  return JSON.stringify(String(value));
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
