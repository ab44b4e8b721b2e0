// The validated-config cache, as shipped (the built CLI, a real daemon): the daemon writes it, a
// `delegate` whose codex-relay.toml matches loads neither zod nor smol-toml, and a changed, broken,
// corrupt or secret-holding file is handled as if there were no cache.
import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configFromText } from "../../src/config/load-config.js";
import { useDaemonSession } from "../helpers/daemon-session.js";
import type { TestWorkspace } from "../helpers/relay-workspace.js";
import { testdir } from "../helpers/testdir.js";

const session = useDaemonSession();

// Preloaded into the CLI: records the file of every module it loads (module.register runs the
// hook off the main thread, so it appends to a file).
const RECORD_HOOK = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) { appendFileSync(process.env.LOADED_LIST, url + "\\n"); return next(url, context); }
`;
const REGISTER = `import { register } from "node:module";
register(new URL("./record-hook.mjs", import.meta.url));
`;

// What only zod's and smol-toml's code holds, whichever chunk of the bundle they landed in.
const ZOD_MARKER = '"ZodType"';
const TOML_MARKER = "control characters are not allowed in strings";

/** A workspace whose daemon has started once and stopped, leaving its config cache behind; `userToml`: the user's $CODEX_HOME/config.toml. */
async function cachedWorkspace(toml = "", userToml?: string): Promise<TestWorkspace> {
  const ws = await session.workspace({ toml });
  if (userToml !== undefined) await writeFile(path.join(ws.env.CODEX_HOME!, "config.toml"), userToml);
  const daemon = await session.startDaemon(ws);
  await daemon.stop("SIGTERM");
  return ws;
}

/** `delegate` as a user runs it, and the modules it loaded: whether zod's and smol-toml's were among them. */
async function delegate(ws: TestWorkspace, issue: string, env: Record<string, string> = {}) {
  const dir = await testdir({ "record-hook.mjs": RECORD_HOOK, "register.mjs": REGISTER }, { prefix: "relay-loaded-" });
  const list = path.join(dir, "loaded.txt");
  const run = await ws.cli(["delegate", "--issue", issue], { env: { ...env, NODE_OPTIONS: `--import=${path.join(dir, "register.mjs")}`, LOADED_LIST: list } });
  const files = existsSync(list) ? readFileSync(list, "utf8").split("\n").filter((url) => url.startsWith("file:") && url.includes("/dist/")) : [];
  const holds = (marker: string) => files.some((url) => readFileSync(new URL(url), "utf8").includes(marker));
  return { ...run, files: files.length, loadedZod: holds(ZOD_MARKER), loadedToml: holds(TOML_MARKER) };
}

async function requestTexts(ws: TestWorkspace): Promise<string[]> {
  const names = (await readdir(ws.layout.inbox)).filter((name) => name.startsWith("CODEX_DELEGATION_REQUEST_"));
  return Promise.all(names.map((name) => readFile(path.join(ws.layout.inbox, name), "utf8")));
}

describe("the daemon's config cache", () => {
  it("holds exactly what a full check of the text resolves to", async () => {
    const ws = await cachedWorkspace('[security]\nredact_env = ["SOME_VAR"]\n[budget.prices.gpt-x]\ninput = 1.5\noutput = 6');
    const cache = JSON.parse(await readFile(ws.layout.configCache, "utf8")) as { format: string; config: unknown };
    expect(cache.format).toBe("codex-relay/config-cache@1");
    expect(cache.config).toStrictEqual(configFromText(await readFile(ws.layout.configFile, "utf8"), ws.layout.configFile));
    expect(cache.config).toMatchObject({ security: { redact_env: ["SOME_VAR"] }, budget: { prices: { "gpt-x": { input: 1.5, output: 6 } } } });
  });

  it("spares a delegate zod and smol-toml when the text is the one the daemon checked", async () => {
    const ws = await cachedWorkspace();
    const run = await delegate(ws, "the cache answers");
    expect(run.exitCode).toBe(0);
    expect(run.loadedZod).toBe(false);
    expect(run.loadedToml).toBe(false);
    // bin.js, esbuild's runtime, the command, and the publish path as one chunk (scripts/bundle-cli.mjs)
    expect(run.files).toBeLessThanOrEqual(4);
    // and the cached config is the one in force: its redact_env still applies (next test for an edit)
    expect(await requestTexts(ws)).toEqual([expect.stringContaining("the cache answers")]);
  });

  it("answers for the user's Codex config too: its provider's key is still redacted, without smol-toml", async () => {
    const provider = (envKey: string) => `[model_providers.corp]\nname = "corp"\nbase_url = "http://127.0.0.1:9/v1"\nenv_key = "${envKey}"\n`;
    const ws = await cachedWorkspace("", provider("CORP_AUTH"));
    const env = { CORP_AUTH: "corp-auth-value-0001", OTHER_AUTH: "other-auth-value-0002" };
    const cached = await delegate(ws, "saw corp-auth-value-0001 in the log", env);
    expect(cached.exitCode).toBe(0);
    expect(cached.loadedToml).toBe(false);
    // the user's file changed since the daemon read it: read again, and its new provider key counts
    await writeFile(path.join(ws.env.CODEX_HOME!, "config.toml"), provider("OTHER_AUTH"));
    const changed = await delegate(ws, "saw other-auth-value-0002 in the log", env);
    expect(changed.exitCode).toBe(0);
    expect(changed.loadedToml).toBe(true);
    const requests = (await requestTexts(ws)).join("\n");
    expect(requests).toContain("saw [REDACTED] in the log");
    expect(requests).not.toMatch(/corp-auth-value|other-auth-value/);
  });

  it("is not used once the toml changed: the new values apply", async () => {
    const ws = await cachedWorkspace();
    const toml = await readFile(ws.layout.configFile, "utf8");
    await writeFile(ws.layout.configFile, `${toml}\n[security]\nredact_env = ["PLAIN_SETTING"]\n`);
    const run = await delegate(ws, "the value plain-setting-value-42 leaked", { PLAIN_SETTING: "plain-setting-value-42" });
    expect(run.exitCode).toBe(0);
    expect(run.loadedZod).toBe(true);
    const [request] = await requestTexts(ws);
    expect(request).toContain("the value [REDACTED] leaked");
    expect(request).not.toContain("plain-setting-value-42");
  });

  it("never lets a broken toml through: refused with its line, nothing written", async () => {
    const ws = await cachedWorkspace();
    const toml = await readFile(ws.layout.configFile, "utf8");
    await writeFile(ws.layout.configFile, `${toml}\n[daemon\nconcurrency = 2\n`);
    const line = toml.split("\n").length + 1;
    const run = await delegate(ws, "with a broken config");
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`codex-relay.toml at line ${line}`);
    expect(run.stderr).toContain("not valid TOML");
    expect(await requestTexts(ws)).toEqual([]);
  });

  it("ignores a corrupt cache, or one of another build or text, and checks the file itself", async () => {
    const ws = await cachedWorkspace();
    const good = await readFile(ws.layout.configCache, "utf8");
    const entry = JSON.parse(good) as { key: string; config: { daemon: { concurrency: number } } };
    const variants = [
      good.slice(0, good.length / 2), // cut short
      "not json at all",
      JSON.stringify({ ...entry, format: "codex-relay/config-cache@0" }),
      JSON.stringify({ ...entry, key: "0".repeat(64) }),
      JSON.stringify({ ...entry, config: null }),
    ];
    for (const [i, text] of variants.entries()) {
      await writeFile(ws.layout.configCache, text);
      const run = await delegate(ws, `corrupt cache ${i}`);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.loadedZod).toBe(true);
    }
    expect(await requestTexts(ws)).toHaveLength(variants.length);
    expect(await readFile(ws.layout.configCache, "utf8")).toBe(variants.at(-1)); // a CLI never writes it
  });

  it("is not written when the toml holds a secret, and no CLI writes one", async () => {
    const token = `ghp_${"A1b2".repeat(9)}`;
    const ws = await cachedWorkspace(`# the old token was ${token}\n`);
    expect(existsSync(ws.layout.relay)).toBe(true);
    expect(existsSync(ws.layout.configCache)).toBe(false);
    const run = await delegate(ws, "no cache here");
    expect(run.exitCode).toBe(0);
    expect(run.loadedZod).toBe(true);
    expect(existsSync(ws.layout.configCache)).toBe(false);
  });
});
