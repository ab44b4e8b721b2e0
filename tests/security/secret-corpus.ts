// A generated, deterministic corpus of planted secrets (issue 10 §2): every shape the redactor
// knows, in the places secrets turn up (log lines, JSON, YAML, .env files, URLs, stack traces,
// Markdown tables, several on one line), plus decoys that must survive it (commit shas, UUIDs,
// ordinary settings). A seeded PRNG makes every run plant the same values.
import { prng } from "../helpers/prng.js";

/** One planted secret: the text that must never survive, and the shape it was made as. */
export interface Planted {
  readonly shape: Shape;
  /** The secret text itself; a multi-line key plants one entry per body line. */
  readonly value: string;
}

/** One document of the corpus: its text, the secrets planted in it, the decoys that must stay. */
export interface CorpusDocument {
  readonly context: Context;
  readonly text: string;
  readonly planted: readonly Planted[];
  readonly decoys: readonly string[];
}

export const SHAPES = [
  "openai",
  "anthropic",
  "github-classic",
  "github-fine-grained",
  "aws-key-id",
  "aws-secret",
  "slack",
  "google",
  "stripe",
  "npm",
  "jwt",
  "url-password",
  "pem",
  "bearer",
  "named-random",
  "named-any",
  "key-as-value",
] as const;
export type Shape = (typeof SHAPES)[number];

export const CONTEXTS = ["log", "json", "yaml", "env", "url", "stack", "markdown", "adjacent"] as const;
export type Context = (typeof CONTEXTS)[number];


const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const ALNUM = LOWER + UPPER + DIGITS;
const B64URL = `${ALNUM}-_`;
const HEX = "0123456789abcdef";

// Names that contain a secret word without ending on it: only a random-looking value is redacted.
const CONTAINING_NAMES = ["STRIPE_KEY_LIVE", "session_token_v2", "PASSWORD_SALT", "SECRET_KEY_BASE", "jwtSecretValue", "KeyMaterial", "x-api-key-id", "GITLAB_TOKEN_RW", "db.password.primary", "signing_key_pem_id"];
// Names that end on a secret word: any value is redacted.
const ENDING_NAMES = ["DB_PASSWORD", "api_key", "client_secret", "SLACK_BOT_TOKEN", "passphrase", "smtp-password", "AccessKey", "vault.token", "private_key", "REDIS_PASSWD"];
const WORDS = ["amber", "falcon", "river", "copper", "maple", "orbit", "velvet", "cinder", "harbor", "quartz", "lumen", "tundra"];
const SCHEMES = ["postgres", "mysql", "redis", "amqp", "mongodb+srv", "https", "ftp"];
const HOSTS = ["db.internal", "cache.prod.example.com", "10.0.3.17:5432", "mq.local:5672", "cluster0.ab12c.mongodb.net", "proxy.corp:3128"];
const USERS = ["admin", "svc_billing", "deploy", "root", "app-user", "default"];

export function generateCorpus(seed: number, minSecrets: number): CorpusDocument[] {
  const random = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chars = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
  // A random token that is sure to mix letters and digits, as real keys almost always do.
  const token = (alphabet: string, length: number) => `${chars(alphabet, length - 2)}${chars(DIGITS, 1)}${chars(UPPER, 1)}`;
  const base64url = (text: string) => Buffer.from(text).toString("base64url");

  /** A secret as it would be written down: a bare value, or one that must be assigned to its name. */
  interface Made {
    readonly shape: Shape;
    /** The fragment when the context writes a bare value (prose, tables, lists). */
    readonly bare: string;
    /** The name and the value when the context writes assignments; shaped secrets get a neutral name. */
    readonly name: string;
    readonly value: string;
    readonly planted: readonly string[];
    readonly multiline?: boolean;
  }

  const shaped = (shape: Shape, value: string, name = pick(["credential", "auth", "value", "upstream", "header"])): Made => ({ shape, bare: value, name, value, planted: [value] });

  const make = (shape: Shape): Made => {
    switch (shape) {
      case "openai":
        return shaped(shape, `sk-${pick(["proj-", "svcacct-", ""])}${token(B64URL, int(40, 60))}`, "OPENAI_API_KEY");
      case "anthropic":
        return shaped(shape, `sk-ant-api03-${token(B64URL, 86)}-${chars(ALNUM, 6)}AA`);
      case "github-classic":
        return shaped(shape, `gh${pick(["p", "o", "u", "s", "r"])}_${token(ALNUM, 36)}`, "github");
      case "github-fine-grained":
        return shaped(shape, `github_pat_${token(ALNUM, 22)}_${token(ALNUM, 59)}`);
      case "aws-key-id":
        return shaped(shape, `${pick(["AKIA", "ASIA"])}${chars(UPPER + DIGITS, 15)}${chars(DIGITS, 1)}`, "aws_access_key_id");
      case "aws-secret": {
        const value = token(`${ALNUM}/+`, 40);
        return { shape, bare: `aws_secret_access_key = ${value}`, name: "aws_secret_access_key", value, planted: [value] };
      }
      case "slack":
        return shaped(shape, `xox${pick(["a", "b", "p", "r"])}-${chars(DIGITS, 12)}-${chars(DIGITS, 13)}-${token(ALNUM, 24)}`);
      case "google":
        return shaped(shape, `AIza${token(B64URL, 35)}`);
      case "stripe":
        return shaped(shape, `${pick(["sk", "rk"])}_live_${token(ALNUM, int(24, 99))}`);
      case "npm":
        return shaped(shape, `npm_${token(ALNUM, 36)}`);
      case "jwt": {
        const header = base64url(JSON.stringify({ alg: pick(["HS256", "RS256", "ES256"]), typ: "JWT" }));
        const payload = base64url(JSON.stringify({ sub: chars(DIGITS, 10), name: pick(WORDS), iat: int(1_600_000_000, 1_800_000_000), jti: chars(ALNUM, 16) }));
        return shaped(shape, `${header}.${payload}.${chars(B64URL, 43)}`, "id_token_jwt");
      }
      case "url-password": {
        const password = token(`${ALNUM}-._~!$*`, int(12, 32));
        const url = `${pick(SCHEMES)}://${pick(USERS)}:${password}@${pick(HOSTS)}/${pick(WORDS)}`;
        return { shape, bare: url, name: pick(["DATABASE_URL", "proxy", "broker_url", "url"]), value: url, planted: [password] };
      }
      case "pem": {
        const lines = Array.from({ length: int(3, 6) }, () => chars(`${ALNUM}+/`, 64));
        const kind = pick(["RSA ", "EC ", "OPENSSH ", ""]);
        const pem = [`-----BEGIN ${kind}PRIVATE KEY-----`, ...lines, `-----END ${kind}PRIVATE KEY-----`].join("\n");
        return { shape, bare: pem, name: "tls_private_key", value: pem, planted: lines, multiline: true };
      }
      case "bearer": {
        const value = token(`${ALNUM}._-`, int(24, 48));
        return { shape, bare: `Authorization: Bearer ${value}`, name: "Authorization", value: `Bearer ${value}`, planted: [value] };
      }
      case "named-random": {
        const name = pick(CONTAINING_NAMES);
        const value = token(ALNUM, int(20, 48));
        return { shape, bare: `${name}=${value}`, name, value, planted: [value] };
      }
      case "named-any": {
        const name = pick(ENDING_NAMES);
        const value = `${pick(WORDS)}-${pick(WORDS)}-${chars(DIGITS, 6)}`;
        return { shape, bare: `${name}: ${value}`, name, value, planted: [value] };
      }
      case "key-as-value": {
        // The issue's case: a key whose "value" is the next key, and the real value after it.
        const value = token(`${ALNUM}/+`, 40);
        const [outer, inner] = pick([["aws_secret", "aws_secret_access_key"], ["password", "api_token"], ["secret", "DEPLOY_KEY"], ["token", "refresh_token"]] as const);
        return { shape, bare: `${outer}: ${inner} = ${value}`, name: inner, value, planted: [value] };
      }
    }
  };

  // Decoys: what a request is full of and must keep.
  const sha = () => chars(HEX, 40);
  const uuid = () => [8, 4, 4, 4, 12].map((n) => chars(HEX, n)).join("-");

  const render = (context: Context, made: readonly Made[], decoys: string[]): string => {
    const decoy = (text: string) => {
      decoys.push(text);
      return text;
    };
    switch (context) {
      case "log":
        return made
          .map((m, i) => {
            const time = `2026-11-02T10:${String(i).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}.${int(100, 999)}Z`;
            const body = m.multiline ? `loaded key:\n${m.bare}` : pick([`retrying with ${m.bare} after 401`, `${m.name}=${m.value} rejected`, `config ${m.bare}`]);
            return `${time} ${pick(["INFO", "WARN", "ERROR"])} [${pick(WORDS)}] request_id=${decoy(uuid())} ${body}`;
          })
          .join("\n");
      case "json": {
        const document = {
          service: pick(WORDS),
          commit: decoy(sha()),
          max_tokens: 4096,
          settings: made.map((m) => ({ [m.name]: m.value })),
          // A log line inside a JSON string: its line breaks become \n escapes.
          log: `line one\n${made[0]!.bare}\nline three`,
        };
        return JSON.stringify(document, null, int(0, 1) === 0 ? 2 : undefined);
      }
      case "yaml":
        return [
          `${pick(WORDS)}:`,
          `  revision: ${decoy(sha())}`,
          `  ${decoy("token_type: bearer")}`,
          ...made.map((m) => {
            if (m.multiline) return `  ${m.name}: |\n${m.value.split("\n").map((line) => `    ${line}`).join("\n")}`;
            const quote = pick(["", '"', "'"]);
            return `  ${m.name}: ${quote}${m.value}${quote}`;
          }),
        ].join("\n");
      case "env":
        return [
          `# ${pick(WORDS)} settings`,
          `NODE_ENV=production`,
          `BUILD_SHA=${decoy(sha())}`,
          ...made.map((m) => {
            const name = m.name.replace(/[^A-Za-z0-9_]/g, "_");
            if (m.multiline) return `${name}="${m.value}"`;
            return pick([`${name}=${m.value}`, `export ${name}=${m.value}`, `${name}="${m.value}"`, `${name}='${m.value}'`]);
          }),
        ].join("\n");
      case "url":
        return made
          .map((m) => {
            if (m.shape === "url-password") return `curl -sS ${m.value}`;
            if (m.multiline || m.shape === "bearer" || m.shape === "aws-secret" || m.shape === "key-as-value" || m.shape === "named-any") return `see ${m.bare}`;
            const name = m.shape === "named-random" ? m.name : "access";
            return `GET https://api.example.com/v2/items?page=${int(1, 9)}&${name}=${m.value}&sort=asc HTTP/1.1`;
          })
          .join("\n");
      case "stack":
        return [
          `Error: upstream rejected credentials ${made[0]!.bare}`,
          `    at Client.request (/srv/app/node_modules/@acme/client/dist/index.js:${int(10, 900)}:${int(1, 80)})`,
          `    at async Object.${pick(WORDS)} (/srv/app/src/jobs/${pick(WORDS)}.ts:${int(1, 300)}:${int(1, 40)})`,
          ...made.slice(1).map((m) => `Caused by: ${m.bare}`),
          `    at process.processTicksAndRejections (node:internal/process/task_queues:95:5) ${decoy(uuid())}`,
        ].join("\n");
      // A table cell or a one-line list cannot hold a PEM block: it follows them whole.
      case "markdown":
        return [
          "| service | what was logged |",
          "| --- | --- |",
          ...made.filter((m) => !m.multiline).map((m) => `| ${pick(WORDS)} | ${m.bare} |`),
          `| build | ${decoy(sha())} |`,
          ...made.filter((m) => m.multiline).map((m) => `\n${m.bare}`),
        ].join("\n");
      case "adjacent":
        // Several secrets on one line, separated only by punctuation.
        return [
          made.filter((m) => !m.multiline).map((m) => m.bare).join(pick([", ", "; ", " ", "\t", " | ", "&", '","'])),
          ...made.filter((m) => m.multiline).map((m) => m.bare),
        ].join("\n");
    }
  };

  const documents: CorpusDocument[] = [];
  let planted = 0;
  let next = 0;
  while (planted < minSecrets) {
    const context = CONTEXTS[documents.length % CONTEXTS.length]!;
    // Shapes in turn, so every part of the corpus holds every shape.
    const made = Array.from({ length: int(2, 6) }, () => make(SHAPES[next++ % SHAPES.length]!));
    const values = made.flatMap((m) => m.planted.map((value) => ({ shape: m.shape, value })));
    const decoys: string[] = [];
    const text = render(context, made, decoys);
    documents.push({ context, text, planted: values, decoys });
    planted += values.length;
  }
  return documents;
}
