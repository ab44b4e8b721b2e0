// `[budget]` caps enforced by the gateway on the real codex binary: a request cap crossed mid-run
// refuses the next model call and fails the run; a spent daily cap rejects the next request at once.
import { afterEach, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { jsonMessage, type MockUsage, type Reply } from "../fixtures/model-server.js";
import { editFile, patchReply } from "../fixtures/patch-project.js";
import { makePatchWorkspace, outFiles, runKind } from "../helpers/patch-workspace.js";
import { analysisReply, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

const bigToolCall: Reply = { kind: "tool_call", name: "exec_command", arguments: { cmd: "echo hi", login: false }, usage: { input_tokens: 1200, cached_tokens: 0, output_tokens: 30, reasoning_tokens: 0 } };

const spending = (input_tokens: number): { usage: MockUsage } => ({ usage: { input_tokens, cached_tokens: 0, output_tokens: 0, reasoning_tokens: 0 } });

describe("token caps", () => {
  it("stops a run after the call that crossed request_tokens", async () => {
    ws = await makeTestWorkspace({ toml: "[budget]\nrequest_tokens = 1000\n" });
    ws.server.enqueue(bigToolCall, jsonMessage(analysisReply()));
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"]);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("budget_exceeded");
    expect(result.error.message).toContain("spent 1230 tokens of the 1000");
    expect(result.error.hint).toContain("budget.request_tokens");
    // The call after the crossing one never reached the provider.
    expect(ws.server.requests.filter((r) => r.path === "/v1/responses")).toHaveLength(1);
    expect(result.gateway.totals).toMatchObject({ input_tokens: 1200, output_tokens: 30, calls: 1 });
    expect(result.usage).toMatchObject({ input_tokens: 1200, output_tokens: 30 });
  });

  it("holds patch_tokens over the whole request: a repair run spends what the first run left, not a fresh allowance", async () => {
    ws = await makePatchWorkspace({ toml: "[budget]\npatch_tokens = 1000\n" }); // repair_attempts = 1: two Codex runs
    ws.server.enqueue(
      // The first run: 600 tokens, and add() still broken, so verification fails and a repair runs.
      { ...editFile("src/math.js", "  return a - b;", "  return a * b;"), ...spending(300) },
      { ...patchReply(), ...spending(300) },
      // The repair: its first call takes the request to 1100 of 1000; alone it would be 500, well under.
      { ...editFile("src/math.js", "  return a * b;", "  return a + b;"), ...spending(500) },
      { ...patchReply(), ...spending(10) },
    );
    const { result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("budget_exceeded");
    expect(result.error.message).toContain("spent 1100 tokens of the 1000 allowed by `budget.patch_tokens`");
    // The repair's reply was never asked for: three calls reached the provider, all metered on one request.
    expect(ws.server.requests.filter((r) => r.path === "/v1/responses")).toHaveLength(3);
    expect(result.gateway.totals).toMatchObject({ input_tokens: 1100, calls: 3 });
    // What was spent, the cut-short repair included (Codex's own count stops at the 600 of its finished run).
    expect(result.usage).toMatchObject({ input_tokens: 1100, output_tokens: 0 });
    expect(await readFile(ws.layout.result(result.id, "md"), "utf8")).toContain("- Tokens: 1100 in (0 cached), 0 out");
    const [report] = await outFiles(ws, /^codex-patch-FAILED-\d{8}-\d{6}\.md$/);
    const text = await readFile(path.join(ws.dir, "out", report!), "utf8");
    expect(text).toContain("spent 1100 tokens of the 1000 allowed by `budget.patch_tokens`");
  });

  it("rejects a new request at once, with nothing sent, when daily_tokens is spent", async () => {
    ws = await makeTestWorkspace({ toml: "[budget]\ndaily_tokens = 10\n" });
    ws.server.enqueue(jsonMessage(analysisReply()));
    const first = JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "first?"])).stdout);
    expect(first.status).toBe("completed"); // 15 tokens: the cap is crossed by this request's only call
    const sent = ws.server.requests.length;
    const second = JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "second?"])).stdout);
    expect(second.status).toBe("failed");
    expect(second.error.code).toBe("budget_exceeded");
    expect(second.error.message).toContain("spent 15 tokens of the 10");
    expect(second.error.hint).toContain("budget.daily_tokens");
    expect(second.codex.thread_id).toBeNull();
    expect(ws.server.requests).toHaveLength(sent);
  });
});
