// An upstream that answers 401 or 429, behind the gateway, on the real codex binary: the run ends
// with the right code and the provider's own words, or a short Retry-After is waited out.
import { afterEach, describe, expect, it } from "vitest";
import { jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

const delegate = async () => JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"])).stdout);

describe("upstream trouble behind the gateway", () => {
  it("ends a refused key with codex_not_authenticated and the provider's message", async () => {
    ws = await makeTestWorkspace();
    ws.server.enqueue({ kind: "http_error", status: 401, body: { error: { message: "Incorrect API key provided: mo***ey", code: "invalid_api_key" } } });
    const result = await delegate();
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("codex_not_authenticated");
    expect(result.error.message).toContain(`provider "mock" at ${ws.server.url} refused the key (HTTP 401): Incorrect API key provided`);
  });

  it("waits out a 429 whose Retry-After fits the bound, and the run completes", async () => {
    ws = await makeTestWorkspace(); // Codex itself does not retry here (request_max_retries = 0)
    ws.server.enqueue({ kind: "http_error", status: 429, headers: { "retry-after": "1" } }, jsonMessage(analysisReply()));
    const result = await delegate();
    expect(result.status).toBe("completed");
    expect(ws.server.requests.filter((r) => r.path === "/v1/responses")).toHaveLength(2);
  });

  it("ends a 429 past the bound with codex_rate_limited and the provider's message", async () => {
    ws = await makeTestWorkspace({ toml: "[gateway]\nmax_retry_after_s = 2\n" });
    ws.server.enqueue({ kind: "http_error", status: 429, headers: { "retry-after": "120" }, body: { error: { message: "Rate limit reached for gpt-5.5" } } });
    const result = await delegate();
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("codex_rate_limited");
    expect(result.error.message).toContain("Rate limit reached for gpt-5.5");
    expect(ws.server.requests.filter((r) => r.path === "/v1/responses")).toHaveLength(1);
  });

  it("ends a 429 without Retry-After at once with codex_rate_limited: nothing says when a retry could succeed", async () => {
    ws = await makeTestWorkspace();
    ws.server.enqueue({ kind: "http_error", status: 429, body: { error: { message: "You exceeded your current quota", code: "insufficient_quota" } } }, jsonMessage(analysisReply()));
    const result = await delegate();
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("codex_rate_limited");
    expect(result.error.message).toBe(`provider "mock" at ${ws.server.url} is rate limiting (HTTP 429): You exceeded your current quota`);
    expect(ws.server.requests.filter((r) => r.path === "/v1/responses")).toHaveLength(1);
  });

  it("ends a 500 with codex_http_error, the HTTP status and the provider's own words (not Codex's 'high demand')", async () => {
    ws = await makeTestWorkspace(); // request_max_retries = 0: Codex gives up after the first 500
    ws.server.enqueue({ kind: "http_error", status: 500, body: { error: { message: "upstream exploded: db down", type: "server_error" } } });
    const result = await delegate();
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("codex_http_error");
    expect(result.error.message).toBe(`provider "mock" at ${ws.server.url} answered HTTP 500: upstream exploded: db down`);
  });
});
