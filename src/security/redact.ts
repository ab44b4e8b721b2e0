// Secret redaction for everything codex-relay writes that a person, a Builder or Codex may read:
// requests, Codex's event log, RESULT files, reports, the audit branch. The values of secret
// variables go first, then the secret shapes (secret-shapes.ts) and the secret assignments
// (secret-assignments.ts). Every pattern is written so the regex engine can only move forward
// (start positions pinned by lookbehinds, disjoint alternatives), which keeps a pass over MB-sized
// text linear.
import { applyRule, REDACTED, whole, type RedactionTally, type Rule } from "./redaction-rule.js";
import { ASSIGNMENT_RULES, isSecretValue } from "./secret-assignments.js";
import { SHAPE_RULES } from "./secret-shapes.js";

/** Replaces secrets in text, or in every string of a JSON-like value; a tally, when given, counts each replacement by kind. */
export interface Redactor {
  redact(text: string, tally?: RedactionTally): string;
  /** A new value with every string redacted and every string under a secret-named key replaced. */
  redactDeep<T>(value: T, tally?: RedactionTally): T;
}

export { REDACTED, type RedactionTally };

// Env values shorter than this are too likely to be ordinary words or numbers.
const MIN_ENV_VALUE_LENGTH = 8;

// Long strings come back call after call: every model call's body through the gateway carries
// Codex's instructions and tool definitions (~30 KB, the same each time), and running every rule
// over them was the daemon's largest piece of JavaScript per request. A redactor remembers what
// its rules made of each long text, counts included; the memory is bounded and starts over when full.
const MEMO_MIN_LENGTH = 256;
const MEMO_MAX_CHARS = 4 * 1024 * 1024;

interface Redacted {
  readonly text: string;
  readonly counts: readonly (readonly [string, number])[];
}

// Shapes first: an assignment rule would otherwise take a URL or a JWT as a value and keep its name.
const RULES: readonly Rule[] = [...SHAPE_RULES, ...ASSIGNMENT_RULES];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// One alternation of the env values, longest first so a value that contains another wins.
function envValueRule(
  env: Readonly<Record<string, string | undefined>>,
  envNames: readonly string[],
): Rule | undefined {
  const values = new Set<string>();
  for (const name of envNames) {
    const value = env[name];
    if (value === undefined || value.length < MIN_ENV_VALUE_LENGTH) continue;
    values.add(value);
    values.add(JSON.stringify(value).slice(1, -1)); // as it stands inside a JSON string
  }
  if (values.size === 0) return undefined;
  const sorted = [...values].sort((a, b) => b.length - a.length);
  return { kind: "env_value", pattern: new RegExp(sorted.map(escapeRegExp).join("|"), "g"), replace: whole };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function createRedactor(options: {
  env: Readonly<Record<string, string | undefined>>;
  envNames: readonly string[];
}): Redactor {
  const envRule = envValueRule(options.env, options.envNames);
  // Env values go first: a shape rule could otherwise cut a known value in half and leave the rest.
  const rules: readonly Rule[] = envRule === undefined ? RULES : [envRule, ...RULES];

  const applyRules = (text: string, tally?: RedactionTally): string => rules.reduce((out, rule) => applyRule(out, rule, tally), text);

  const memo = new Map<string, Redacted>();
  let memoChars = 0;
  const redact = (text: string, tally?: RedactionTally): string => {
    if (text.length < MEMO_MIN_LENGTH) return applyRules(text, tally);
    let known = memo.get(text);
    if (known === undefined) {
      const found: RedactionTally = new Map();
      known = { text: applyRules(text, found), counts: [...found] };
      if (memoChars + text.length > MEMO_MAX_CHARS) {
        memo.clear();
        memoChars = 0;
      }
      if (text.length <= MEMO_MAX_CHARS) {
        memo.set(text, known);
        memoChars += text.length;
      }
    }
    if (tally) for (const [kind, n] of known.counts) tally.set(kind, (tally.get(kind) ?? 0) + n);
    return known.text;
  };

  const walk = (value: unknown, seen: Map<object, unknown>, tally?: RedactionTally): unknown => {
    if (typeof value === "string") return redact(value, tally);
    if (Array.isArray(value)) {
      const cached = seen.get(value);
      if (cached !== undefined) return cached;
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(walk(item, seen, tally));
      return copy;
    }
    if (isPlainObject(value)) {
      const cached = seen.get(value);
      if (cached !== undefined) return cached;
      const copy: Record<string, unknown> = {};
      seen.set(value, copy);
      for (const [key, item] of Object.entries(value)) {
        // `{ password: "hunter2" }` has no `=` or `:` in its string, so the key decides.
        if (typeof item === "string" && isSecretValue(key, item)) {
          copy[key] = REDACTED;
          tally?.set("secret_assignment", (tally.get("secret_assignment") ?? 0) + 1);
        } else copy[key] = walk(item, seen, tally);
      }
      return copy;
    }
    // Numbers, booleans, null and class instances are not JSON-like strings: kept as they are.
    return value;
  };

  return Object.freeze({
    redact,
    redactDeep: <T>(value: T, tally?: RedactionTally): T => walk(value, new Map(), tally) as T,
  });
}
