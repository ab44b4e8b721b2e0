// Secrets recognised by the name they are assigned to: `key = value`, `key: value`, JSON
// `"key": "value"`, YAML, `.env` lines, `export KEY=…`, `key := value`. The key is kept and the
// value replaced, in its own quotes so JSON stays JSON. A value is never the next key: in
// `aws_secret: aws_secret_access_key = wJalr…` the first "value" is a key, and the rule leaves it
// to be matched as one, so the real value behind it is redacted.
import { notAfter, REDACTED, type Rule } from "./redaction-rule.js";

// A name whose last word is a secret: password, DB_PASSWORD, api-key, GITHUB_TOKEN,
// aws_secret_access_key. Any value assigned to it is redacted; `max_tokens` and `password_hint`
// do not end on the word and are not such names.
const SECRET_KEY_WORD = String.raw`(?:password|passwd|passphrase|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|token)`;
const SECRET_KEY = new RegExp(`${SECRET_KEY_WORD}$`, "i");

// A name that merely contains one of these words (STRIPE_KEY_LIVE, session_token_v2,
// PASSWORD_SALT) is a secret's name only when its value looks random (see looksRandom).
const SECRET_WORDS = "key|token|secret|passw|passphrase";
const SECRET_WORD = new RegExp(SECRET_WORDS, "i");

const KEY_CHARS = "A-Za-z0-9_.-";
// `=`, `:` or `:=` after a name and its closing quote, if any; `==` is a comparison, not an assignment.
const ASSIGN = String.raw`(?:\\?["'])?\s*(?::=|[:=](?!=))`;

// A value: a double-quoted, single-quoted or JSON-escaped (\"…\") string, or a bare word, which
// ends where an escaped newline or tab does in JSON text. The alternatives start with different
// characters, so there is exactly one way to match and no backtracking blow-up.
const VALUE = [
  String.raw`"(?:[^"\\\r\n]|\\[^\r\n])*"`,
  String.raw`'(?:[^'\\\r\n]|\\[^\r\n])*'`,
  String.raw`\\"(?:[^"\\\r\n]|\\[^"\r\n])*\\"`,
  String.raw`(?:[^\s"',;&\\]|\\(?![nrt"]))+`,
].join("|");

// A name with a secret word in it. Lookarounds do not backtrack: the word is found in one pass.
const HAS_SECRET_WORD = String.raw`(?=[${KEY_CHARS}]*?(?:${SECRET_WORDS}))`;
// A value that is itself a secret's name being assigned: never consumed as a value.
const NOT_A_SECRET_NAME = String.raw`(?!${HAS_SECRET_WORD}[${KEY_CHARS}]+${ASSIGN})`;

// Bare values that are plainly not secrets: type annotations and empty placeholders in code.
const PLACEHOLDER = /^(?:string|number|boolean|null|undefined|true|false|none|nil|str|bytes|\[REDACTED\]|\*+)$/i;

/** Whether `key` names a secret whatever its value: its last word is a secret word. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Whether `value`, assigned to `key`, is a secret: any value of a secret key, a random-looking one of a key that mentions one. */
// Keys that name an id, not a credential: Codex sends its thread id as `prompt_cache_key` on
// every model call, and redacting it would defeat the provider's prompt cache.
const ID_KEY = /(?:cache|idempotency|partition|sort|dedup)[_-]?key$/i;

export function isSecretValue(key: string, value: string): boolean {
  if (value === "" || PLACEHOLDER.test(value)) return false;
  return SECRET_KEY.test(key) || (SECRET_WORD.test(key) && !ID_KEY.test(key) && looksRandom(value));
}

// Random-looking: long, one unbroken word with a long run of letters and digits, mixing character
// classes, and with enough distinct characters. Words joined by dashes (`node-modules-linux-x64`)
// and short ids are not; keys, tokens, UUIDs and hex digests are.
const MIN_RANDOM_LENGTH = 16;
const MIN_RANDOM_RUN = 10;
const MIN_BITS_PER_CHAR = 3;

function looksRandom(value: string): boolean {
  if (value.length < MIN_RANDOM_LENGTH || /\s/.test(value)) return false;
  const longestRun = Math.max(...value.split(/[^A-Za-z0-9]+/).map((run) => run.length));
  if (longestRun < MIN_RANDOM_RUN) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((cls) => cls.test(value)).length;
  return classes >= 2 && bitsPerChar(value) >= MIN_BITS_PER_CHAR;
}

/** Shannon entropy of the characters of `text`, in bits per character. */
function bitsPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

// The value without its quotes, and the replacement for it in those same quotes.
function unquote(value: string): { inner: string; redacted: string } {
  if (value.startsWith('\\"') && value.length >= 4) return { inner: value.slice(2, -2), redacted: `\\"${REDACTED}\\"` };
  const first = value[0];
  if ((first === '"' || first === "'") && value.length > 1 && value.endsWith(first)) {
    return { inner: value.slice(1, -1), redacted: `${first}${REDACTED}${first}` };
  }
  return { inner: value, redacted: REDACTED };
}

export const ASSIGNMENT_RULES: readonly Rule[] = [
  {
    kind: "secret_assignment",
    // The name is one run of name characters (one start per run, pinned by the lookbehind), so a
    // long identifier costs one pass. Whether its value is a secret is decided on the match; a
    // declined one is scanned on, so `"cmd": "login password=…"` still finds the password.
    pattern: new RegExp(String.raw`${notAfter(KEY_CHARS)}${HAS_SECRET_WORD}([${KEY_CHARS}]+)(${ASSIGN}[ \t]*)${NOT_A_SECRET_NAME}(${VALUE})`, "gi"),
    replace: (_match, key = "", operator = "", value = "") => {
      const { inner, redacted } = unquote(value);
      return isSecretValue(key, inner) ? `${key}${operator}${redacted}` : undefined;
    },
    // Every match names a secret word. Only the word: a hint that went on to the operator would
    // scan a long run of name characters from every word in it (quadratic on "tokentoken…").
    hint: SECRET_WORD,
  },
];
