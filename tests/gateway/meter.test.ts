// The gateway's meter: the real codex binary talks to the model fixture through the gateway, and
// the RESULT and the day's usage file count exactly the tokens the fixture sent.
import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { jsonMessage, type MockUsage, type Reply } from "../fixtures/model-server.js";
import { analysisReply, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

const TOOL_USAGE: MockUsage = { input_tokens: 1200, cached_tokens: 400, output_tokens: 30, reasoning_tokens: 12 };
const REPLY_USAGE: MockUsage = { input_tokens: 1500, cached_tokens: 1100, output_tokens: 250, reasoning_tokens: 40 };

const toolCall = (usage: MockUsage): Reply => ({ kind: "tool_call", name: "exec_command", arguments: { cmd: "echo hello", login: false }, usage });
const reply = (usage: MockUsage): Reply => ({ kind: "message", text: JSON.stringify(analysisReply()), usage });

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

describe("the gateway meter", () => {
  it("counts every model call's tokens into the RESULT and the day's usage file", async () => {
    ws = await makeTestWorkspace();
    ws.server.enqueue(toolCall(TOOL_USAGE), reply(REPLY_USAGE));
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"]);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("completed");
    expect(ws.server.requests.filter((r) => r.path === "/v1/responses")).toHaveLength(2);
    expect(result.gateway.upstream).toBe(ws.server.url);
    expect(result.gateway.calls).toHaveLength(2);
    expect(result.gateway.calls.map((c: { status: number }) => c.status)).toEqual([200, 200]);
    expect(result.gateway.totals).toEqual({ input_tokens: 2700, cached_input_tokens: 1500, output_tokens: 280, reasoning_output_tokens: 52, calls: 2 });
    const day = JSON.parse(await readFile(ws.layout.usageDay(today()), "utf8"));
    expect(day).toMatchObject({ day: today(), input_tokens: 2700, output_tokens: 280, calls: 2 });
    expect(day.kinds.analysis).toEqual({ input_tokens: 2700, cached_input_tokens: 1500, output_tokens: 280, reasoning_output_tokens: 52, calls: 2 });
  });

  it("prices the RESULT's tokens from [budget.prices], the model's row before the \"*\" row", async () => {
    ws = await makeTestWorkspace({
      toml: '[budget.prices."gpt-5.5"]\ninput = 2.0\ncached_input = 0.5\noutput = 10.0\n[budget.prices."*"]\ninput = 100\noutput = 100\n',
    });
    ws.server.enqueue(toolCall(TOOL_USAGE), reply(REPLY_USAGE));
    const result = JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"])).stdout);
    expect(result.codex.model).toBe("gpt-5.5");
    // (2700 − 1500 cached) × $2 + 1500 × $0.5 + 280 × $10, per million tokens
    expect(result.usage.cost_usd).toBe(0.00595);
    expect(await readFile(ws.layout.result(result.id, "md"), "utf8")).toContain("about $0.0060 at [budget.prices]");
  });

  it("keeps the day's total across processes: a second run adds to the first", async () => {
    ws = await makeTestWorkspace();
    ws.server.enqueue(reply(REPLY_USAGE), reply(REPLY_USAGE));
    for (const issue of ["first?", "second?"]) expect(JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", issue])).stdout).status).toBe("completed");
    const day = JSON.parse(await readFile(ws.layout.usageDay(today()), "utf8"));
    expect(day).toMatchObject({ input_tokens: 3000, cached_input_tokens: 2200, output_tokens: 500, reasoning_output_tokens: 80, calls: 2 });
    expect(day.kinds.analysis.calls).toBe(2);
  });

  it("sends Codex direct to the provider when [gateway] enabled = false", async () => {
    ws = await makeTestWorkspace({ toml: "[gateway]\nenabled = false\n" });
    ws.server.enqueue(jsonMessage(analysisReply()));
    const result = JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"])).stdout);
    expect(result.status).toBe("completed");
    expect(result.gateway).toBeUndefined();
  });
});
