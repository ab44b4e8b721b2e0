// Secret redaction for everything codex-relay writes that a person or a Builder may read:
// Codex's event log, RESULT files, reports. Every pattern is written so the regex engine can
// only move forward (start positions pinned by lookbehinds, disjoint alternatives), which keeps
// a pass over MB-sized text linear.

/** Counts of redacted values by kind (`openai_key`, `env_value`, …); never the values. */
export type RedactionTally = Map<string, number>;

/** Replaces secrets in text, or in every string of a JSON-like value; a tally, when given, counts each replacement. */
export interface Redactor {
  redact(text: string, tally?: RedactionTally): string;
  /** A new value with every string redacted and every string under a secret-named key replaced. */
  redactDeep<T>(value: T, tally?: RedactionTally): T;
}

export const REDACTED = "[REDACTED]";

// Env values shorter than this are too likely to be ordinary words or numbers.
const MIN_ENV_VALUE_LENGTH = 8;

// A key whose last word names a secret: password, DB_PASSWORD, api-key, GITHUB_TOKEN,
// aws_secret_access_key. It must end on the word, so `max_tokens` and `password_hint` are not keys.
const SECRET_KEY_WORD = String.raw`(?:password|passwd|passphrase|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|token)`;
const SECRET_KEY = new RegExp(`${SECRET_KEY_WORD}$`, "i");

// A value after a secret key: a double-quoted, single-quoted or JSON-escaped (\"…\") string, or
// a bare word. The alternatives inside each string start with different characters, so there
// is exactly one way to match and no backtracking blow-up.
const VALUE = [
  String.raw`"(?:[^"\\\r\n]|\\[^\r\n])*"`,
  String.raw`'(?:[^'\\\r\n]|\\[^\r\n])*'`,
  String.raw`\\"(?:[^"\\\r\n]|\\[^"\r\n])*\\"`,
  String.raw`[^\s"',;&]+`,
].join("|");

// Bare values that are plainly not secrets: type annotations and empty placeholders in code.
const PLACEHOLDER = /^(?:string|number|boolean|null|undefined|true|false|none|nil|str|bytes|\[REDACTED\]|\*+)$/i;

interface Rule {
  /** What the rule finds, as RESULTs count it. */
  readonly kind: string;
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

const whole = (): string => REDACTED;

const SHAPE_RULES: readonly Rule[] = [
  // PEM private keys; an unterminated block (a truncated paste) is redacted to the end.
  {
    kind: "private_key",
    pattern: /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]{0,40}PRIVATE KEY-----|$)/g,
    replace: whole,
  },
  // OpenAI (sk-…, sk-proj-…) and look-alike provider keys.
  { kind: "api_key", pattern: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}/g, replace: whole },
  // GitHub classic and fine-grained tokens.
  { kind: "github_token", pattern: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}/g, replace: whole },
  { kind: "github_token", pattern: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}/g, replace: whole },
  // AWS access key ids.
  { kind: "aws_key", pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, replace: whole },
  // Slack tokens.
  { kind: "slack_token", pattern: /(?<![A-Za-z0-9_-])xox[abprs]-[A-Za-z0-9-]{10,}/g, replace: whole },
  // Authorization headers. A bearer token is long, which keeps prose ("Bearer authentication") intact.
  {
    kind: "bearer_token",
    pattern: /(?<![A-Za-z0-9])([Bb]earer\s+)[A-Za-z0-9._~+/-]{16,}=*/g,
    replace: (_match, prefix = "") => `${prefix}${REDACTED}`,
  },
  {
    kind: "basic_auth",
    pattern: /(Authorization\s*:\s*Basic\s+)[A-Za-z0-9+/]{8,}=*/gi,
    replace: (_match, prefix = "") => `${prefix}${REDACTED}`,
  },
  // Passwords in URLs: scheme://user:password@host (proxy variables carry these).
  {
    kind: "url_password",
    pattern: /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,20}:\/\/[^\s:/@]{1,256}:)[^\s@/]{1,256}@/g,
    replace: (_match, prefix = "") => `${prefix}${REDACTED}@`,
  },
  // key = value, key: value, "key": "value", KEY=value (env files), key := value. The key is
  // kept, the value replaced, quotes preserved so JSON stays JSON. `==` comparisons are not
  // assignments.
  {
    kind: "secret_assignment",
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*?${SECRET_KEY_WORD}(?:\\?["'])?\s*(?::=|[:=](?!=))[ \t]*)(${VALUE})`,
      "gi",
    ),
    replace: (match, prefix = "", value = "") => {
      if (PLACEHOLDER.test(value)) return match;
      return `${prefix}${requote(value)}`;
    },
  },
];

// The replacement for a value, in the value's own quotes.
function requote(value: string): string {
  if (value.startsWith('\\"')) return `\\"${REDACTED}\\"`;
  const first = value[0];
  if ((first === '"' || first === "'") && value.length > 1 && value.endsWith(first)) {
    return `${first}${REDACTED}${first}`;
  }
  return REDACTED;
}

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
    if (value !== undefined && value.length >= MIN_ENV_VALUE_LENGTH) values.add(value);
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
  const rules: readonly Rule[] = envRule === undefined ? SHAPE_RULES : [envRule, ...SHAPE_RULES];

  const redact = (text: string, tally?: RedactionTally): string => {
    let out = text;
    for (const rule of rules) {
      rule.pattern.lastIndex = 0;
      const replace = rule.replace as (substring: string, ...args: unknown[]) => string;
      out = tally
        ? out.replace(rule.pattern, (match: string, ...args: unknown[]) => {
            const replaced = replace(match, ...args);
            if (replaced !== match) count(tally, rule.kind);
            return replaced;
          })
        : out.replace(rule.pattern, replace);
    }
    return out;
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
        const secret = typeof item === "string" && item !== "" && SECRET_KEY.test(key) && !PLACEHOLDER.test(item);
        if (secret && tally) count(tally, "secret_field");
        copy[key] = secret ? REDACTED : walk(item, seen, tally);
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

function count(tally: RedactionTally, kind: string): void {
  tally.set(kind, (tally.get(kind) ?? 0) + 1);
}
