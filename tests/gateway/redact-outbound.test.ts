// Secrets Codex reads with its own tools never reach the model: the gateway redacts every
// outbound request body, and the RESULT counts what it redacted (never the values).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { execCommand, jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

const DB_PASSWORD = "hunter2-correct-horse-battery";
const OPENAI_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";

async function secretWorkspace(toml?: string): Promise<TestWorkspace> {
  const w = await makeTestWorkspace({ toml });
  await writeFile(path.join(w.dir, ".env"), `DB_PASSWORD=${DB_PASSWORD}\n`);
  await mkdir(path.join(w.dir, "src"));
  await writeFile(path.join(w.dir, "src", "client.ts"), `export const client = new OpenAI("${OPENAI_KEY}");\n`);
  // Codex reads both files with its own tool, then answers.
  w.server.enqueue(execCommand("cat .env src/client.ts"), jsonMessage(analysisReply()));
  return w;
}

describe("outbound redaction", () => {
  it("keeps values Codex read with `cat` from the model, and counts them in the RESULT", async () => {
    ws = await secretWorkspace();
    const result = JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"])).stdout);
    expect(result.status).toBe("completed");
    const [, afterTool] = ws.server.requests;
    expect(afterTool?.text).toContain("DB_PASSWORD=[REDACTED]"); // the tool output did go back to the model
    for (const request of ws.server.requests) {
      expect(request.raw).not.toContain(DB_PASSWORD);
      expect(request.raw).not.toContain(OPENAI_KEY);
    }
    expect(result.gateway.redacted.count).toBeGreaterThanOrEqual(2);
    expect(result.gateway.redacted.kinds).toMatchObject({ api_key: expect.any(Number), secret_assignment: expect.any(Number) });
    expect(result.gateway.calls.map((c: { redacted: number }) => c.redacted > 0)).toEqual([false, true]);
    expect(JSON.stringify(result)).not.toContain(DB_PASSWORD);
  });

  it("says in the request's event log, call by call, how many values were redacted and of which kinds", async () => {
    ws = await secretWorkspace();
    const result = JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"])).stdout);
    const log = await readFile(ws.layout.log(result.id), "utf8");
    const calls = log.split("\n").filter(Boolean).map((line) => JSON.parse(line)).filter((event) => event.type === "relay.model_call");
    expect(calls.map((c) => [c.call, c.status, c.redacted])).toEqual([
      [1, 200, 0],
      [2, 200, result.gateway.calls[1].redacted],
    ]);
    expect(calls[1].redacted).toBeGreaterThanOrEqual(2);
    expect(calls[1].redacted_kinds).toMatchObject({ api_key: expect.any(Number), secret_assignment: expect.any(Number) });
    expect(calls[0]).toMatchObject({ input_tokens: 10, output_tokens: 5 });
    expect(log).not.toContain(DB_PASSWORD);
  });

  it("sends them as read when gateway.redact = false (the control)", async () => {
    ws = await secretWorkspace("[gateway]\nredact = false\n");
    const result = JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"])).stdout);
    expect(result.status).toBe("completed");
    expect(ws.server.requests[1]?.raw).toContain(DB_PASSWORD);
    expect(ws.server.requests[1]?.raw).toContain(OPENAI_KEY);
    expect(result.gateway.redacted.count).toBe(0);
  });
});
