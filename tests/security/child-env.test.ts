import { parse } from "smol-toml";
import { describe, expect, test } from "vitest";
import { buildChildEnv, CODEX_ENV_ALLOWLIST, providerEnvKeys } from "../../src/security/child-env.js";

const parent = {
  HOME: "/home/u",
  PATH: "/usr/bin:/bin",
  LANG: "en_US.UTF-8",
  LC_ALL: "C.UTF-8",
  LC_CTYPE: "UTF-8",
  CODEX_HOME: "/home/u/.codex",
  OPENAI_API_KEY: "sk-test",
  https_proxy: "http://proxy:3128",
  NO_PROXY: "localhost",
  SSL_CERT_FILE: "/etc/ssl/cert.pem",
  RUST_LOG: "info",
  AWS_SECRET_ACCESS_KEY: "aws-secret",
  GITHUB_TOKEN: "ghp_x",
  DATABASE_URL: "postgres://u:p@db/x",
  NODE_OPTIONS: "--require evil.js",
  MY_PROVIDER_KEY: "provider-secret",
  TZ: undefined,
};

describe("buildChildEnv", () => {
  test("keeps the allowlist, LC_* and lower-case proxies; drops everything else", () => {
    expect(buildChildEnv(parent, { passthrough: [] })).toEqual({
      HOME: "/home/u",
      PATH: "/usr/bin:/bin",
      LANG: "en_US.UTF-8",
      LC_ALL: "C.UTF-8",
      LC_CTYPE: "UTF-8",
      CODEX_HOME: "/home/u/.codex",
      OPENAI_API_KEY: "sk-test",
      https_proxy: "http://proxy:3128",
      NO_PROXY: "localhost",
      SSL_CERT_FILE: "/etc/ssl/cert.pem",
      RUST_LOG: "info",
    });
  });

  test("passthrough adds exactly the names it lists", () => {
    const env = buildChildEnv(parent, { passthrough: ["MY_PROVIDER_KEY", "NOT_SET"] });
    expect(env.MY_PROVIDER_KEY).toBe("provider-secret");
    expect("NOT_SET" in env).toBe(false);
    expect(env.GITHUB_TOKEN).toBeUndefined();
  });

  test("a bare * in passthrough is not a blanket copy", () => {
    const env = buildChildEnv(parent, { passthrough: ["*"] });
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(env.HOME).toBe("/home/u");
  });

  test("undefined values are dropped and the parent is not changed", () => {
    const copy = { ...parent };
    const env = buildChildEnv(parent, { passthrough: ["TZ"] });
    expect("TZ" in env).toBe(false);
    expect(parent).toEqual(copy);
  });

  test("the allowlist names what Codex needs", () => {
    for (const name of ["HOME", "PATH", "CODEX_HOME", "OPENAI_API_KEY", "HTTPS_PROXY", "https_proxy", "NODE_EXTRA_CA_CERTS", "CODEX_CA_CERTIFICATE", "LC_*"]) {
      expect(CODEX_ENV_ALLOWLIST).toContain(name);
    }
    expect(CODEX_ENV_ALLOWLIST).not.toContain("NODE_OPTIONS");
  });
});

describe("providerEnvKeys", () => {
  test("collects env_key and env_http_headers values from a Codex config.toml", () => {
    const config = parse(`
model = "gpt-5-codex"
model_provider = "azure"

[model_providers.azure]
name = "Azure"
base_url = "https://x.openai.azure.com/openai"
env_key = "AZURE_OPENAI_API_KEY"
env_http_headers = { "X-Org" = "MY_ORG_ID", "X-Team" = "MY_TEAM" }
http_headers = { "X-Literal" = "not-an-env-name" }

[model_providers.ollama]
name = "Ollama"
base_url = "http://localhost:11434/v1"

[model_providers.other]
env_key = "AZURE_OPENAI_API_KEY"

[profiles.fast]
model = "o4-mini"
`);
    expect(providerEnvKeys(config)).toEqual(["AZURE_OPENAI_API_KEY", "MY_ORG_ID", "MY_TEAM"]);
  });

  test("tolerates configs without providers, wrong shapes and invalid names", () => {
    expect(providerEnvKeys(undefined)).toEqual([]);
    expect(providerEnvKeys("x")).toEqual([]);
    expect(providerEnvKeys({ model_providers: [] })).toEqual([]);
    expect(providerEnvKeys({ model_providers: { a: { env_key: 3 }, b: null, c: { env_key: "BAD NAME" } } })).toEqual([]);
    expect(providerEnvKeys({ model_providers: { a: { env_key: "GOOD_KEY" } } })).toEqual(["GOOD_KEY"]);
  });
});
