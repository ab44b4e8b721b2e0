// Codex's child environment, built deliberately: a named allowlist plus what the caller adds,
// never a blanket copy of the daemon's environment (which may hold unrelated secrets).

/**
 * What Codex needs to find its home, authenticate, reach the provider through proxies and CAs,
 * and behave like the user's shell. Entries ending in `*` are prefixes (LC_*).
 */
export const CODEX_ENV_ALLOWLIST: readonly string[] = Object.freeze([
  "HOME",
  "PATH",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "LC_*",
  "TZ",
  "TMPDIR",
  "TERM",
  "XDG_CONFIG_HOME",
  "XDG_DATA_HOME",
  "XDG_CACHE_HOME",
  "XDG_RUNTIME_DIR",
  "CODEX_HOME",
  "OPENAI_API_KEY",
  "CODEX_API_KEY",
  "OPENAI_BASE_URL",
  "OPENAI_ORGANIZATION",
  "OPENAI_PROJECT",
  "AZURE_OPENAI_API_KEY",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "ALL_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "all_proxy",
  "no_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
  "CODEX_CA_CERTIFICATE",
  "RUST_LOG",
]);

/** The environment for a Codex child: allowlisted names and `passthrough` names that are set. */
export function buildChildEnv(
  parent: Readonly<Record<string, string | undefined>>,
  options: { passthrough: readonly string[] },
): Record<string, string> {
  return pickEnv(parent, [...CODEX_ENV_ALLOWLIST, ...options.passthrough]);
}

/** The variables of `parent` that `names` select: exact names, or `PREFIX*` (a bare `*` selects nothing). */
export function pickEnv(parent: Readonly<Record<string, string | undefined>>, names: readonly string[]): Record<string, string> {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const name of names) {
    if (name.endsWith("*")) prefixes.push(name.slice(0, -1));
    else exact.add(name);
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (exact.has(name) || prefixes.some((prefix) => prefix !== "" && name.startsWith(prefix))) env[name] = value;
  }
  return env;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The env var names a parsed Codex config reads credentials from: each
 * `model_providers.<name>.env_key` and every value of `model_providers.<name>.env_http_headers`
 * (header → env var name). Unique, in config order; anything that is not a valid name is skipped.
 */
export function providerEnvKeys(codexConfig: unknown): string[] {
  const names = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === "string" && ENV_NAME.test(value)) names.add(value);
  };
  if (!isRecord(codexConfig) || !isRecord(codexConfig.model_providers)) return [];
  for (const provider of Object.values(codexConfig.model_providers)) {
    if (!isRecord(provider)) continue;
    add(provider.env_key);
    if (isRecord(provider.env_http_headers)) {
      for (const name of Object.values(provider.env_http_headers)) add(name);
    }
  }
  return [...names];
}
