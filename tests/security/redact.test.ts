import { describe, expect, test } from "vitest";
import { createRedactor, REDACTED } from "../../src/security/redact.js";

const plain = createRedactor({ env: {}, envNames: [] });

describe("secret shapes", () => {
  test.each([
    ["OpenAI key", "key is sk-abcdefghijklmnopqrstuvwxyz012345 ok", "key is [REDACTED] ok"],
    ["OpenAI project key", "OPENAI sk-proj-Ab_cD-ef0123456789XYZabcdef.", "OPENAI [REDACTED]."],
    ["GitHub classic token", `use ghp_${"A1b2".repeat(9)} now`, "use [REDACTED] now"],
    ["GitHub oauth token", `gho_${"z".repeat(36)}`, REDACTED],
    ["GitHub server token", `(ghs_${"9".repeat(40)})`, "([REDACTED])"],
    ["GitHub fine-grained token", `github_pat_11ABCDEFG0123456789_abcdefghijklmnop`, REDACTED],
    ["AWS access key id", "id AKIAIOSFODNN7EXAMPLE,", "id [REDACTED],"],
    ["AWS session key id", "ASIAABCDEFGHIJKLMNOP", REDACTED],
    ["Slack token", "xoxb-123456789012-abcdefABCDEF", REDACTED],
    ["Bearer header", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig-nature", "Authorization: Bearer [REDACTED]"],
    ["Basic header", "Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [REDACTED]"],
    ["URL password", "HTTPS_PROXY=http://bob:s3cr3tpass@proxy.local:3128", "HTTPS_PROXY=http://bob:[REDACTED]@proxy.local:3128"],
  ])("%s", (_name, input, expected) => {
    expect(plain.redact(input)).toBe(expected);
  });

  test("PEM private key blocks, multiline, with the text around them kept", () => {
    const pem = [
      "before",
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
      "QyNTUxOQAAACBvbGQga2V5IG5vdCBhIHJlYWwgb25lAAAAAAAAAAAAAAAAAAAAAAAAAA==",
      "-----END OPENSSH PRIVATE KEY-----",
      "after",
    ].join("\n");
    expect(plain.redact(pem)).toBe("before\n[REDACTED]\nafter");
    const rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----";
    expect(plain.redact(rsa)).toBe(REDACTED);
  });

  test("an unterminated PEM block is redacted to the end", () => {
    expect(plain.redact("x\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\nhkiG9w0")).toBe("x\n[REDACTED]");
  });

  test("public keys and certificates are not private keys", () => {
    const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    expect(plain.redact(cert)).toBe(cert);
  });
});

describe("assignments keep the key and replace the value", () => {
  test.each([
    ["env file", "PASSWORD=hunter2", "PASSWORD=[REDACTED]"],
    ["prefixed env name", "DB_PASSWORD=correct-horse", "DB_PASSWORD=[REDACTED]"],
    ["export line", "export GITHUB_TOKEN=abc123def", "export GITHUB_TOKEN=[REDACTED]"],
    ["spaces around =", "secret = s3cr3t", "secret = [REDACTED]"],
    ["YAML", "db:\n  passwd: hunter2\n  user: bob", "db:\n  passwd: [REDACTED]\n  user: bob"],
    ["YAML token", "token: abcdef", "token: [REDACTED]"],
    ["JSON", '{"user": "bob", "password": "x"}', '{"user": "bob", "password": "[REDACTED]"}'],
    ["JSON compact", '{"api_key":"k-1"}', '{"api_key":"[REDACTED]"}'],
    ["single quotes", "api-key: 'abc def'", "api-key: '[REDACTED]'"],
    ["double quotes with spaces", 'secret="two words"', 'secret="[REDACTED]"'],
    ["escaped JSON inside JSON", '{"cmd":"login password=\\"p w\\""}', '{"cmd":"login password=\\"[REDACTED]\\""}'],
    ["query string", "GET /x?api_key=abc123&page=2", "GET /x?api_key=[REDACTED]&page=2"],
    ["AWS secret key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = [REDACTED]"],
    ["Go :=", 'token := "abc"', 'token := "[REDACTED]"'],
    ["dotted key", "spring.datasource.password=pa55", "spring.datasource.password=[REDACTED]"],
  ])("%s", (_name, input, expected) => {
    expect(plain.redact(input)).toBe(expected);
  });
});

describe("more provider and token shapes", () => {
  const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  test.each([
    ["JWT", `session ${jwt} expired`, "session [REDACTED] expired"],
    ["JWT with an empty signature (alg none)", "t=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "t=[REDACTED]"],
    ["JWT in a cookie", `Cookie: sid=${jwt}; Path=/`, "Cookie: sid=[REDACTED]; Path=/"],
    ["Anthropic key", "ANTHROPIC sk-ant-api03-Qm9vYmFyQmF6cXV4MTIzNDU2Nzg5MA-AAAA", "ANTHROPIC [REDACTED]"],
    ["Slack user token", "xoxp-2210535565-4431337-Zm9vYmFy", REDACTED],
    ["Slack app-level bot token in JSON", '{"slack": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"}', '{"slack": "[REDACTED]"}'],
    ["Google API key", "maps?key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY&z=3", "maps?key=[REDACTED]&z=3"],
    ["Stripe live secret key", "stripe sk_live_51H8xYzAbCdEfGhIjKlMnOp.", "stripe [REDACTED]."],
    ["Stripe restricted key", "rk_live_4eC39HqLyjWDarjtT1zdp7dc", REDACTED],
    ["npm token", "//registry.npmjs.org/:_authToken=npm_Xk29dkLm3nQpR8sT7uV6wY5zA4bC3dE2fG1h", "//registry.npmjs.org/:_authToken=[REDACTED]"],
    ["npm token in prose", "publish with npm_Xk29dkLm3nQpR8sT7uV6wY5zA4bC3dE2fG1h failed", "publish with [REDACTED] failed"],
    ["URL password with an unencoded @", "postgres://admin:p@ss:w0rd@db.internal:5432/app", "postgres://admin:[REDACTED]@db.internal:5432/app"],
    ["URL password in a JSON string", '{"url":"redis://default:Xk29dkLm3nQ@cache:6379"}', '{"url":"redis://default:[REDACTED]@cache:6379"}'],
  ])("%s", (_name, input, expected) => {
    expect(plain.redact(input)).toBe(expected);
  });

  test("a Stripe publishable key is public and stays", () => {
    expect(plain.redact("pk_live_51H8xYzAbCdEfGhIjKlMnOp")).toBe("pk_live_51H8xYzAbCdEfGhIjKlMnOp");
  });
});

describe("a value is never the next key", () => {
  test.each([
    [
      "the issue's case: a key whose value is another key",
      "aws_secret: aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYZ",
      "aws_secret: aws_secret_access_key = [REDACTED]",
    ],
    ["YAML key, then a key on the same line", "password: token: abcdef", "password: token: [REDACTED]"],
    ["no spaces", "secret=api_key=Qm9vYmFy", "secret=api_key=[REDACTED]"],
    ["a key-like value followed by a colon", "token: DEPLOY_KEY: 9f8e7d6c5b4a39281706", "token: DEPLOY_KEY: [REDACTED]"],
    ["a bearer at the end of a line", "token_type: bearer\n  aws_secret_access_key: uhoYMOb4Ln3I4kqA1wShsyBrN7IbNqQmrW2", "token_type: bearer\n  aws_secret_access_key: [REDACTED]"],
    ["JSON-escaped line breaks between assignments", "token=abc\\napi_token_v2 = x8fK2mQ9pL4nR7tV1wZ3", "token=[REDACTED]\\napi_token_v2 = [REDACTED]"],
  ])("%s", (_name, input, expected) => {
    expect(plain.redact(input)).toBe(expected);
  });

  test("a password inside the value of an ordinary key is still found", () => {
    expect(plain.redact('{"key": "password=hunter2"}')).toBe('{"key": "password=[REDACTED]"}');
    expect(plain.redact("cache_key: foo?password=hunter2")).toBe("cache_key: foo?password=[REDACTED]");
  });
});

describe("secrets inside JSON strings (front matter carries request fields so)", () => {
  test.each([
    ["after an escaped newline", '"logs": "line\\nsk-proj-abcdefghijklmnopqrstuvwx\\n"', '"logs": "line\\n[REDACTED]\\n"'],
    ["after an escaped tab", '"x\\tghp_' + "a".repeat(36) + '"', '"x\\t[REDACTED]"'],
    ["an assignment after an escaped newline", '"a\\nDB_PASSWORD=hunter2\\nnext"', '"a\\nDB_PASSWORD=[REDACTED]\\nnext"'],
  ])("%s", (_name, input, expected) => {
    expect(plain.redact(input)).toBe(expected);
  });

  test("an env value is found in its JSON-escaped form too", () => {
    const r = createRedactor({ env: { VAULT_TOKEN: 'a"b\\c-long-value' }, envNames: ["VAULT_TOKEN"] });
    expect(r.redact(JSON.stringify({ note: 'a"b\\c-long-value' }))).toBe('{"note":"[REDACTED]"}');
  });
});

describe("random-looking values of names that mention a secret", () => {
  test.each([
    ["env file", "STRIPE_KEY_LIVE=Xk29dkLm3nQpR8sT7uV6", "STRIPE_KEY_LIVE=[REDACTED]"],
    ["export", "export SECRET_KEY_BASE='9f8e7d6c5b4a39281706f5e4d3c2b1a0'", "export SECRET_KEY_BASE='[REDACTED]'"],
    ["YAML", "session_token_v2: 0199a213-81c0-7800-8aa1-bbab2a035a53", "session_token_v2: [REDACTED]"],
    ["JSON", '{"PasswordSalt": "Qm9vYmFyQmF6cXV4MTIz"}', '{"PasswordSalt": "[REDACTED]"}'],
    ["name = value", "signing_key_id = AbC123dEf456GhI789", "signing_key_id = [REDACTED]"],
  ])("%s", (_name, input, expected) => {
    expect(plain.redact(input)).toBe(expected);
  });

  test("redactDeep replaces them under such keys too", () => {
    expect(plain.redactDeep({ TOKEN_V2: "Xk29dkLm3nQpR8sT7uV6", token_type: "bearer", keywords: "a, b" })).toEqual({
      TOKEN_V2: REDACTED,
      token_type: "bearer",
      keywords: "a, b",
    });
  });
});

describe("ordinary text is left alone", () => {
  test.each([
    ["password in prose", "Reset the password, then log in; the password policy needs 12 characters."],
    ["a git sha", "fixed in 3f2a9c1d5e7b8a0f4c6d2e1b9a8f7e6d5c4b3a21 and 3f2a9c1"],
    ["a UUID", "thread 0199a213-81c0-7800-8aa1-bbab2a035a53 started"],
    ["token counts", '{"input_tokens": 1200, "cached_input_tokens": 0, "max_tokens": 5}'],
    ["keys that only contain a secret word", "password_hint: your pet\ntokenizer: bpe"],
    ["comparisons", "if (password == confirm) return;"],
    ["type annotations", "interface Login { password: string; token: string }"],
    ["Bearer in prose", "Bearer authentication is described in RFC 6750."],
    ["a task slug", "task-abcdefghijklmnopqrstuvwxyz0123 is a branch name"],
    ["short env values", "the value short appears"],
    ["words joined by dashes under a key name", "cache_key: node-modules-linux-x64-v2"],
    ["short or plain values of names that mention a secret", "token_type: bearer\nkey_id = 3\nprimary_key: user_id\nmonkey: george"],
    [
      "git log and diff output",
      "commit 3f2a9c1d5e7b8a0f4c6d2e1b9a8f7e6d5c4b3a21\nMerge: 1a2b3c4 5d6e7f8\nAuthor: Ann <ann@example.com>\n\ndiff --git a/x b/x\nindex 3f2a9c1..8b7e6d5 100644",
    ],
    ["package-lock integrity", '"integrity": "sha512-Qm9vYmFyQmF6cXV4MTIzNDU2Nzg5MA==", "resolved": "https://registry.npmjs.org/x/-/x-1.0.0.tgz"'],
    ["a stack trace", "TypeError: token.split is not a function\n    at parseKey (/app/src/auth/keys.ts:42:17)\n    at async /app/src/main.ts:7:3"],
    ["a URL with a user and no password", "git clone ssh://git@github.com/org/repo.git and https://user@host/x"],
    ["prose about keys and tokens", "The token expired, so rotate the key; see the secret-management doc and the password reset page."],
  ])("%s", (_name, input) => {
    const redactor = createRedactor({ env: { SHORT: "short" }, envNames: ["SHORT"] });
    expect(redactor.redact(input)).toBe(input);
  });
});

describe("environment values", () => {
  const env = { MY_SERVICE_KEY: "Zq8.v+2(x)*secret", OTHER: "not-listed-value", EMPTY: undefined };
  const redactor = createRedactor({ env, envNames: ["MY_SERVICE_KEY", "EMPTY", "MISSING"] });

  test("values of named variables are redacted, regex characters and all", () => {
    expect(redactor.redact("curl -H 'X-Key: Zq8.v+2(x)*secret' https://x")).toBe("curl -H 'X-Key: [REDACTED]' https://x");
    expect(redactor.redact("a Zq8.v+2(x)*secretZq8.v+2(x)*secret b")).toBe("a [REDACTED][REDACTED] b");
  });

  test("variables not named are not treated as secrets", () => {
    expect(redactor.redact("not-listed-value")).toBe("not-listed-value");
  });

  test("a value is redacted whole even where a shape rule would cut it", () => {
    const key = "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX:tail-part";
    const r = createRedactor({ env: { OPENAI_API_KEY: key }, envNames: ["OPENAI_API_KEY"] });
    expect(r.redact(`key=${key}!`)).toBe("key=[REDACTED]!");
    expect(r.redact(`using ${key} now`)).toBe("using [REDACTED] now");
  });
});

describe("redactDeep", () => {
  test("walks nested objects and arrays, returning a new value", () => {
    const input = {
      type: "item.completed",
      item: {
        text: "found sk-abcdefghijklmnopqrstuvwxyz012345 in .env",
        lines: ["ok", "PASSWORD=hunter2", 3, null, true],
        nested: [{ deeper: { note: "AKIAIOSFODNN7EXAMPLE" } }],
      },
      usage: { input_tokens: 10 },
    };
    const output = plain.redactDeep(input);
    expect(output).toEqual({
      type: "item.completed",
      item: {
        text: "found [REDACTED] in .env",
        lines: ["ok", "PASSWORD=[REDACTED]", 3, null, true],
        nested: [{ deeper: { note: REDACTED } }],
      },
      usage: { input_tokens: 10 },
    });
    expect(output).not.toBe(input);
    expect(input.item.lines[1]).toBe("PASSWORD=hunter2");
  });

  test("string values under secret-named keys are replaced", () => {
    expect(plain.redactDeep({ password: "hunter2", db_token: "abc", token_count: "5", name: "bob" })).toEqual({
      password: REDACTED,
      db_token: REDACTED,
      token_count: "5",
      name: "bob",
    });
  });

  test("a top-level string and primitives pass through the same rules", () => {
    expect(plain.redactDeep("secret=abc")).toBe("secret=[REDACTED]");
    expect(plain.redactDeep(42)).toBe(42);
    expect(plain.redactDeep(null)).toBeNull();
  });

  test("cycles do not recurse forever", () => {
    const node: Record<string, unknown> = { note: "token: abc" };
    node.self = node;
    const out = plain.redactDeep(node) as Record<string, unknown>;
    expect(out.note).toBe("token: [REDACTED]");
    expect(out.self).toBe(out);
  });
});

describe("long texts seen again (every model call's body repeats Codex's instructions)", () => {
  const instructions = `You are Codex. ${"Follow the rules below. ".repeat(40)}Example: OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwxyz012345 and password: "hunter22".`;

  test("the second redaction of a long text gives the same text and counts the same replacements", () => {
    const redactor = createRedactor({ env: {}, envNames: [] });
    const tallies = [new Map<string, number>(), new Map<string, number>()];
    const outs = tallies.map((tally) => redactor.redactDeep({ instructions, input: [{ text: instructions }] }, tally));
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[0]!.instructions).not.toContain("sk-abcdefghijklmnopqrstuvwxyz012345");
    expect(outs[0]!.instructions).not.toContain("hunter22");
    expect(tallies[1]).toEqual(tallies[0]);
    expect([...tallies[0]!.values()].reduce((a, b) => a + b, 0)).toBe(4); // two secrets, twice each
  });

  test("what one redactor remembers is its own: another with an env value still redacts that value", () => {
    const value = "correct-horse-battery-staple-9";
    const text = `${"filler text ".repeat(40)}${value}`;
    expect(createRedactor({ env: {}, envNames: [] }).redact(text)).toContain(value);
    const tally = new Map<string, number>();
    expect(createRedactor({ env: { DB_SECRET_VALUE: value }, envNames: ["DB_SECRET_VALUE"] }).redact(text, tally)).not.toContain(value);
    expect(tally.get("env_value")).toBe(1);
  });
});

describe("large input", () => {
  test("MB-sized and adversarial text is redacted completely", () => {
    const filler = "lorem ipsum ".repeat(100_000);
    const adversarial = [
      "password".repeat(50_000),
      'password="'.repeat(50_000),
      "api_token_v2=".repeat(50_000),
      'key: "'.repeat(50_000),
      "a_key: ".repeat(50_000),
      "eyJhbGciOi.".repeat(50_000),
      "http://u:p@".repeat(50_000),
      "\\n".repeat(50_000),
      `x${"a".repeat(400_000)}=`,
      "-----BEGIN ",
      "Bearer ".repeat(50_000),
    ].join("\n");
    const text = `${filler}\nOPENAI=sk-abcdefghijklmnopqrstuvwxyz012345\n${adversarial}\n`;
    const started = performance.now();
    const out = plain.redact(text);
    // Linear: well under a second for ~6 MB even on a loaded machine; a quadratic rule takes minutes.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(out).toContain("OPENAI=[REDACTED]");
    expect(out).not.toContain("sk-abcdefghijklmnopqrstuvwxyz012345");
    expect(out.startsWith(filler)).toBe(true);
  });
});

describe("ids under names that merely contain KEY", () => {
  test("keeps a UUID cache key (Codex's prompt_cache_key) and still redacts a UUID api key", () => {
    const r = createRedactor({ env: {}, envNames: [] });
    const body = { prompt_cache_key: "01a238a7-2366-78f2-8c16-e3811aac5d35", heroku_api_key: "01a238a7-2366-78f2-8c16-e3811aac5d35" };
    expect(r.redactDeep(body)).toEqual({ prompt_cache_key: body.prompt_cache_key, heroku_api_key: "[REDACTED]" });
    expect(r.redact('"prompt_cache_key":"01a238a7-2366-78f2-8c16-e3811aac5d35"')).toBe('"prompt_cache_key":"01a238a7-2366-78f2-8c16-e3811aac5d35"');
  });
});
