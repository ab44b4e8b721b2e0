// A provider that is down, refuses the key, or has no key: the real codex binary, the real CLI,
// and a RESULT (or doctor line) that names the provider and says what to do — fast, not after
// Codex's reconnect loop has run into the 30-minute wall clock.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeTestWorkspace, startDaemonProcess, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

/** A workspace whose provider's port is closed, with a short unreachable limit; `direct`: no gateway. */
async function downWorkspace(unreachableS: number, options: { direct?: boolean } = {}): Promise<TestWorkspace> {
  const w = await makeTestWorkspace({
    watchdog: "start_timeout_s = 30\nstall_timeout_s = 300\nwall_timeout_s = 1800",
    toml: options.direct ? "[gateway]\nenabled = false\n" : undefined,
  });
  await w.server.close(); // the base_url now points at a port nobody listens on
  const file = path.join(w.dir, "codex-relay.toml");
  await writeFile(file, (await readFile(file, "utf8")).replace("[codex]\n", `[codex]\nunreachable_s = ${unreachableS}\n`));
  return w;
}

describe("a provider that cannot be reached", () => {
  it("ends the run at once through the gateway: codex_unreachable naming the provider, its base_url and the refusal", async () => {
    ws = await downWorkspace(600); // only the gateway can end it before the CLI's own time limit
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"], { timeoutMs: 50_000 });
    expect(run.timedOut).toBe(false);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("codex_unreachable");
    expect(result.error.message).toContain(`provider "mock" at ${ws.server.url}`);
    expect(result.error.message).toContain("ECONNREFUSED");
    expect(result.error.hint).toContain("codex-relay doctor");
  });

  it("ends the run at once through the gateway when the upstream's name does not resolve: codex_unreachable naming it", async () => {
    ws = await downWorkspace(600);
    const file = path.join(ws.dir, "codex-relay.toml");
    await writeFile(file, (await readFile(file, "utf8")).replace(ws.server.url, "http://relay-test.invalid/v1"));
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"], { timeoutMs: 50_000 });
    expect(run.timedOut).toBe(false);
    const result = JSON.parse(run.stdout);
    expect(result.error.code).toBe("codex_unreachable");
    expect(result.error.message).toContain('provider "mock" at http://relay-test.invalid/v1');
    expect(result.error.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(result.error.message).toContain("stopped at the first attempt");
  });

  it("ends a direct run (no gateway) with codex_unreachable naming the provider and its base_url, showing each reconnect", async () => {
    ws = await downWorkspace(2, { direct: true });
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"], { timeoutMs: 50_000 });
    expect(run.timedOut).toBe(false);
    expect(run.exitCode).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("codex_unreachable");
    expect(result.error.message).toContain(`provider "mock" at ${ws.server.url} for 2 s`);
    expect(result.error.hint).toContain("codex-relay doctor");
    const log = await readFile(ws.layout.log(result.id), "utf8");
    expect(log).toMatch(/"message":"Reconnecting\.\.\./);
  });

  it("shows the reconnects of a direct run on the daemon's console while they happen", async () => {
    ws = await downWorkspace(3, { direct: true });
    const daemon = await startDaemonProcess(ws);
    try {
      const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"], { timeoutMs: 50_000 });
      expect(JSON.parse(run.stdout).error.code).toBe("codex_unreachable");
    } finally {
      const { stdout, stderr } = await daemon.stop();
      expect(`${stdout}${stderr}`).toMatch(new RegExp(`provider unreachable, reconnecting.*attempt=1.*${ws.server.url.replace(/\./g, "\\.")}`));
    }
  });
});

describe("a provider key that is missing", () => {
  it("is codex_not_authenticated, naming the variable", async () => {
    ws = await makeTestWorkspace();
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"], { env: { MOCK_MODEL_KEY: "" } });
    const result = JSON.parse(run.stdout);
    expect(result.error.code).toBe("codex_not_authenticated");
    expect(result.error.message).toContain("MOCK_MODEL_KEY");
  });
});

describe("doctor probes the provider", () => {
  it("passes when the provider lists models for the key", async () => {
    ws = await makeTestWorkspace();
    const run = await ws.cli(["doctor"]);
    expect(run.stdout).toMatch(/^ok +provider +provider "mock" at http:\/\/127\.0\.0\.1:\d+\/v1 answers and accepts the key/m);
    expect(ws.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/models"]);
  });

  it("fails naming the provider when it is down", async () => {
    ws = await downWorkspace(60);
    const run = await ws.cli(["doctor"]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^FAIL provider +cannot reach provider "mock" at ${ws.server.url.replace(/\./g, "\\.")}: ECONNREFUSED`, "m"));
  });

  it("fails with the provider's own words when it refuses the key", async () => {
    ws = await makeTestWorkspace();
    const run = await ws.cli(["doctor"], { env: { MOCK_MODEL_KEY: "wrong-key" } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^FAIL provider +provider "mock" at \S+ refused the key \(GET \/v1\/models answered 401: Incorrect API key provided\)/m);
    expect(run.stdout).toContain("fix: check the key in MOCK_MODEL_KEY");
  });

  it("says the key variable is not set, not that the provider refused a key, when there is none to send", async () => {
    ws = await makeTestWorkspace();
    const run = await ws.cli(["doctor"], { env: { MOCK_MODEL_KEY: "" } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^FAIL provider +provider "mock" at \S+ asks for a key and MOCK_MODEL_KEY is not set \(GET \/v1\/models answered 401/m);
    expect(run.stdout).not.toContain("refused the key");
  });

  it("reports a Codex config.toml that does not parse as a config error, not a login failure", async () => {
    ws = await makeTestWorkspace();
    await writeFile(path.join(ws.env.CODEX_HOME!, "config.toml"), 'model = "x\n');
    const run = await ws.cli(["doctor"]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^FAIL codex config .*config\.toml does not parse/m);
    expect(run.stdout).toMatch(/^FAIL login +skipped: Codex's config\.toml does not parse/m);
  });
});
