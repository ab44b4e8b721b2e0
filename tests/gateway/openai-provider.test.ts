// The built-in OpenAI provider on an API key goes through the gateway via `-c openai_base_url`.
// Codex tries the Responses API over WebSocket first; the gateway refuses the upgrade and Codex
// streams over HTTP instead.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, logEvents, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

const KEY = "sk-test-0123456789abcdefghijklmnop";

describe("the built-in OpenAI provider", () => {
  it("streams over HTTP through the gateway after the WebSocket upgrade is refused", async () => {
    ws = await makeTestWorkspace({ mockProvider: false });
    // The built-in provider's own base_url, as a user would set it, is the fixture: the upstream.
    const file = path.join(ws.dir, "codex-relay.toml");
    const toml = await readFile(file, "utf8");
    await writeFile(file, toml.replace("[codex.config.features]", `[codex.config]\nopenai_base_url = ${JSON.stringify(ws.server.url)}\n\n[codex.config.features]`));
    ws.server.enqueue(jsonMessage(analysisReply()));
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"], { env: { OPENAI_API_KEY: KEY } });
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("completed");
    expect(result.gateway.upstream).toBe(ws.server.url);
    expect(result.gateway.calls).toHaveLength(1);
    // Codex asked for a WebSocket first; the gateway refused it and the call came over HTTP.
    expect(logEvents(ws.layout).filter((e) => e.event === "gateway refused websocket")).toEqual([expect.objectContaining({ path: "/r/…/responses" })]);
    expect(ws.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/responses"]);
  });

  it("stays direct for a ChatGPT sign-in, and doctor says why: chatgpt_base_url does not carry the model calls", async () => {
    ws = await makeTestWorkspace({ mockProvider: false });
    await writeFile(path.join(ws.env.CODEX_HOME!, "auth.json"), JSON.stringify({ OPENAI_API_KEY: null, tokens: { id_token: "x", access_token: "x", refresh_token: "x", account_id: "x" } }));
    const run = await ws.cli(["doctor"]);
    const line = run.stdout.split("\n").find((l) => /^\S+ +gateway /.test(l));
    expect(line).toContain("direct: a ChatGPT sign-in is not routed (Codex sends its model calls to `openai_base_url`, by default https://chatgpt.com/backend-api/codex; `chatgpt_base_url` only serves ChatGPT's other endpoints");
    expect(line).toContain("metered after each turn, not capped mid-run, not redacted in transit");
  });
});
