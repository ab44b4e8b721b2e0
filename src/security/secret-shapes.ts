// Secrets recognised by their own shape, wherever they appear: private keys, provider API keys and
// tokens, JWTs, Authorization headers and passwords in URLs. Each pattern's start is pinned by a
// lookbehind and its body is one character class, so the regex engine only moves forward.
import { notAfter, REDACTED, whole, type Rule } from "./redaction-rule.js";

// Token bodies run over these; a key cut short would leave its tail behind.
const WORD = "A-Za-z0-9_-";

const keepPrefix = (_match: string, prefix = ""): string => `${prefix}${REDACTED}`;

export const SHAPE_RULES: readonly Rule[] = [
  // PEM private keys; an unterminated block (a truncated paste) is redacted to the end.
  { kind: "private_key",
    pattern: /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]{0,40}PRIVATE KEY-----|$)/g,
    replace: whole,
    hint: /-----BEGIN /,
  },
  // JSON Web Tokens: three base64url parts, the first a JSON header (`{"` is `eyJ`). Before the
  // Bearer rule, so a JWT is redacted whole wherever it stands.
  { kind: "jwt", pattern: new RegExp(String.raw`${notAfter(WORD)}eyJ[${WORD}]{8,}\.[${WORD}]{2,}\.[${WORD}]*`, "g"), replace: whole, hint: /eyJ/ },
  // OpenAI (sk-…, sk-proj-…), Anthropic (sk-ant-…) and look-alike provider keys.
  { kind: "api_key", pattern: new RegExp(String.raw`${notAfter(WORD)}sk-[${WORD}]{20,}`, "g"), replace: whole, hint: /sk-/ },
  // GitHub classic and fine-grained tokens.
  { kind: "github_token", pattern: new RegExp(String.raw`${notAfter("A-Za-z0-9_")}gh[pousr]_[A-Za-z0-9]{36,}`, "g"), replace: whole, hint: /gh[pousr]_/ },
  { kind: "github_token", pattern: new RegExp(String.raw`${notAfter("A-Za-z0-9_")}github_pat_[A-Za-z0-9_]{22,}`, "g"), replace: whole, hint: /github_pat_/ },
  // AWS access key ids.
  { kind: "aws_key_id", pattern: new RegExp(String.raw`${notAfter("A-Za-z0-9")}(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])`, "g"), replace: whole, hint: /AKIA|ASIA/ },
  // Slack tokens.
  { kind: "slack_token", pattern: new RegExp(String.raw`${notAfter(WORD)}xox[abprs]-[A-Za-z0-9-]{10,}`, "g"), replace: whole, hint: /xox[abprs]-/ },
  // Google API keys.
  { kind: "google_api_key", pattern: new RegExp(String.raw`${notAfter(WORD)}AIza[${WORD}]{30,}`, "g"), replace: whole, hint: /AIza/ },
  // Stripe secret and restricted keys (a publishable pk_ key is meant to be public).
  { kind: "stripe_key", pattern: new RegExp(String.raw`${notAfter("A-Za-z0-9")}[sr]k_(?:live|test)_[A-Za-z0-9]{10,}`, "g"), replace: whole, hint: /k_(?:live|test)_/ },
  // npm access tokens.
  { kind: "npm_token", pattern: new RegExp(String.raw`${notAfter("A-Za-z0-9")}npm_[A-Za-z0-9]{30,}`, "g"), replace: whole, hint: /npm_/ },
  // Authorization headers. A bearer token is long, which keeps prose ("Bearer authentication")
  // intact, and on the same line: `token_type: bearer` ending a line must not take the next key.
  { kind: "authorization", pattern: new RegExp(String.raw`${notAfter("A-Za-z0-9")}([Bb]earer[ \t]+)[A-Za-z0-9._~+/-]{16,}=*`, "g"), replace: keepPrefix, hint: /[Bb]earer/ },
  { kind: "authorization", pattern: /(Authorization[ \t]*:[ \t]*Basic[ \t]+)[A-Za-z0-9+/]{8,}=*/gi, replace: keepPrefix, hint: /authorization/i },
  // Passwords in URLs: scheme://user:password@host keeps scheme, user and host. The password runs
  // to the last `@` before the host, so an unencoded `@` in it cannot leave a tail behind.
  { kind: "url_password",
    pattern: new RegExp(String.raw`${notAfter("A-Za-z0-9+.-")}([A-Za-z][A-Za-z0-9+.-]{0,20}:\/\/[^\s:/@"'\\]{1,256}:)[^\s/"'\\]{1,256}@(?=[^\s@/"'\\]*(?:[\s/"'\\]|$))`, "g"),
    replace: (_match, prefix = "") => `${prefix}${REDACTED}@`,
    hint: /:\/\//,
  },
];
