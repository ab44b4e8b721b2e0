import { execa } from "execa";
import { parse as parseToml } from "smol-toml";
import { beforeEach, describe, expect, it } from "vitest";
import { configOverrideArgs, tomlInline } from "../../src/codex/config-overrides.js";
import { codexBinary, codexTestEnv, MOCK_ENV_KEY } from "../fixtures/codex-home.js";
import { codexRunFixture } from "../helpers/codex-run-fixture.js";

/** `-c k=v` pairs as [k, v], split on the first `=` exactly as codex does. */
function pairs(args: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < args.length; i += 2) {
    expect(args[i]).toBe("-c");
    const arg = args[i + 1]!;
    const eq = arg.indexOf("=");
    out.push([arg.slice(0, eq), arg.slice(eq + 1)]);
  }
  return out;
}

/** Parse an override value the way codex does: as the value of a sentinel key in a TOML document. */
function parseValue(value: string): unknown {
  return parseToml(`_x_ = ${value}`)._x_;
}

describe("configOverrideArgs", () => {
  it("turns the default config into codex's two feature switches", () => {
    expect(configOverrideArgs({ features: { shell_snapshot: false, plugins: false } })).toEqual([
      "-c",
      "features.shell_snapshot=false",
      "-c",
      "features.plugins=false",
    ]);
  });

  it("returns nothing for an empty table", () => {
    expect(configOverrideArgs({})).toEqual([]);
    expect(configOverrideArgs({ features: {} })).toEqual([]);
  });

  it("flattens nested tables to dotted keys, one -c per leaf", () => {
    const args = configOverrideArgs({
      model_provider: "local",
      model_providers: { local: { name: "local", base_url: "http://127.0.0.1:8000/v1", env_key: "LOCAL_API_KEY", request_max_retries: 0 } },
    });
    expect(args).toEqual([
      "-c",
      'model_provider="local"',
      "-c",
      'model_providers.local.name="local"',
      "-c",
      'model_providers.local.base_url="http://127.0.0.1:8000/v1"',
      "-c",
      'model_providers.local.env_key="LOCAL_API_KEY"',
      "-c",
      "model_providers.local.request_max_retries=0",
    ]);
  });

  it("keeps bare keys with dashes and underscores unquoted", () => {
    expect(configOverrideArgs({ mcp_servers: { "my-server_2": { enabled: true } } })).toEqual(["-c", "mcp_servers.my-server_2.enabled=true"]);
  });

  it("produces `key = value` lines that TOML reads back as the same nested table", () => {
    const table = {
      model: "gpt-5-codex",
      model_reasoning_effort: "high",
      features: { shell_snapshot: false, plugins: false },
      shell_environment_policy: { inherit: "core", exclude: ["AWS_*", "*_TOKEN"] },
      model_providers: { local: { name: "local", stream_idle_timeout_ms: 300000, temperature: 0.25 } },
    };
    const lines = pairs(configOverrideArgs(table)).map(([key, value]) => `${key} = ${value}`);
    expect(parseToml(lines.join("\n"))).toEqual(table);
  });

  // codex 0.169.0 splits the key on every `.` and takes each part literally (no TOML key syntax):
  // `-c 'model_providers."my prov".name="x"'` makes a provider named `"my prov"` with the quotes,
  // and codex then fails with "Model provider `my prov` not found"; `model_providers.my prov.name`
  // works. A key that contains `.` cannot be expressed at all and should be rejected instead.
  it("passes a key that is not a bare TOML key unquoted, as codex reads keys literally", () => {
    expect(configOverrideArgs({ model_providers: { "my prov": { name: "x" } } })).toEqual(["-c", 'model_providers.my prov.name="x"']);
  });
});

describe("tomlInline", () => {
  const strings = [
    "plain",
    "",
    'with "double" quotes',
    "back\\slash C:\\Users\\me",
    "new\nline\ttab\rcr",
    "unicode: é ü 中文 😀 \u2028",
    "nul \u0000 and bell \u0007 and esc \u001b",
    "'single' and ''' triple",
    "# not a comment",
    "= = =",
    "${HOME} $(id) `id`",
  ];

  for (const value of strings) {
    it(`writes ${JSON.stringify(value)} as a TOML basic string that reads back unchanged`, () => {
      const inline = tomlInline(value);
      expect(inline.startsWith('"') && inline.endsWith('"')).toBe(true);
      expect(parseValue(inline)).toBe(value);
    });
  }

  // TOML forbids a raw DEL (U+007F) in basic strings; JSON.stringify leaves it unescaped, so codex
  // cannot parse the value and falls back to the literal text with the quotes.
  it("escapes DEL (U+007F), which TOML does not allow raw in a basic string", () => {
    expect(parseValue(tomlInline("a\u007fb"))).toBe("a\u007fb");
  });

  it("writes numbers and booleans as TOML scalars", () => {
    expect(tomlInline(0)).toBe("0");
    expect(tomlInline(-42)).toBe("-42");
    expect(tomlInline(0.25)).toBe("0.25");
    expect(tomlInline(true)).toBe("true");
    expect(tomlInline(false)).toBe("false");
    for (const value of [0, -42, 0.25, 1e21, true, false]) expect(parseValue(tomlInline(value))).toBe(value);
  });

  it("writes arrays, nested arrays and arrays of tables", () => {
    const values = [[], ["a", "b"], [1, 2, 3], [["x"], ["y", "z"]], [{ name: "a b", "odd key": 1, nested: { deep: [true] } }]];
    for (const value of values) expect(parseValue(tomlInline(value))).toEqual(value);
    expect(tomlInline(["AWS_*", "*_TOKEN"])).toBe('["AWS_*", "*_TOKEN"]');
  });

  it("writes a table as an inline table with quoted keys", () => {
    const value = { "a.b": "dotted", "with space": 1, plain: false };
    const inline = tomlInline(value);
    expect(inline).toBe('{ "a.b" = "dotted", "with space" = 1, "plain" = false }');
    expect(parseValue(inline)).toEqual(value);
  });
});

describe("configOverrideArgs against the real codex binary", () => {
  const fx = codexRunFixture("relay-overrides-");
  beforeEach(() => {
    fx.server.setDefault({ kind: "message", text: "pong" });
  });

  /** Run codex with only our `-c` overrides pointing it at the scripted model server. */
  async function runWithProvider(providerName: string) {
    const config = {
      model_provider: providerName,
      model_providers: {
        [providerName]: {
          name: "mock",
          base_url: fx.server.url,
          env_key: MOCK_ENV_KEY,
          wire_api: "responses",
          supports_websockets: false,
          request_max_retries: 0,
          stream_max_retries: 0,
        },
      },
      features: { shell_snapshot: false, plugins: false },
    };
    const args = ["exec", "--json", "--skip-git-repo-check", "-s", "read-only", "-C", fx.ws, ...configOverrideArgs(config), "--", "ping"];
    const child = execa(codexBinary(), args, {
      env: codexTestEnv(fx.home.dir),
      stdin: "ignore",
      detached: true,
      reject: false,
      timeout: 50_000,
      killSignal: "SIGKILL",
    });
    fx.track(child);
    const result = await child;
    return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  it("codex applies the flattened provider table: the model request reaches our server", async () => {
    const { exitCode, stdout, stderr } = await runWithProvider("mock");
    expect(stderr).not.toMatch(/not found/);
    expect(exitCode).toBe(0);
    expect(fx.server.requests).toHaveLength(1);
    expect(stdout).toContain('"text":"pong"');
  });

  it("codex applies a provider whose name needs quoting in TOML", async () => {
    const { exitCode, stderr } = await runWithProvider("my prov");
    expect(stderr).not.toMatch(/Model provider `my prov` not found/);
    expect(exitCode).toBe(0);
    expect(fx.server.requests).toHaveLength(1);
  });
});
