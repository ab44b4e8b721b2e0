// Claude Code session fixtures in tests/fixtures/transcripts/claude-*.jsonl, in the record shapes of
// Claude Code 2.1.x (see the comment at the top of src/transcripts/formats/claude-code.ts).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parseClaudeCodeRecord } from "../../src/transcripts/formats/claude-code.js";
import { scanChunk } from "../../src/transcripts/scan-chunk.js";

const fixtures = path.join(import.meta.dirname, "../fixtures/transcripts");

async function scanFixture(name: string) {
  const bytes = await readFile(path.join(fixtures, name));
  const result = scanChunk(bytes, 0, undefined, parseClaudeCodeRecord);
  expect(result.carry).toBeUndefined();
  expect(result.consumedTo).toBe(bytes.length);
  return { bytes, hits: result.hits };
}

const lineStartOf = (bytes: Buffer, needle: string): number => bytes.lastIndexOf("\n", bytes.indexOf(needle)) + 1;

describe("Claude Code transcripts", () => {
  test("the user saying the phrase creates exactly one hit; commands, their output, hooks and thinking do not", async () => {
    const { bytes, hits } = await scanFixture("claude-user-says.jsonl");
    expect(hits).toEqual([
      {
        offset: lineStartOf(bytes, "Checkout fails with a 500"),
        role: "user",
        issue: "checkout returns 500 when a gift card and a coupon are combined",
        messageId: "a1b2c3d4-0001-4a00-8000-000000000003",
        timestamp: "2026-11-20T09:15:40.002Z",
        lineHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        key: expect.stringMatching(/^\d+:[0-9a-f]{16}:[0-9a-f]{16}$/),
      },
    ]);
    // The raw bytes hold the phrase seven times: only the typed prompt is said.
    expect(bytes.toString().split("DELEGATE TO CODEX:").length - 1).toBe(7);
  });

  test("a file the agent read with the Read tool creates no hit, nor does the agent quoting it inline", async () => {
    const { bytes, hits } = await scanFixture("claude-read-tool.jsonl");
    expect(bytes.includes("DELEGATE TO CODEX: login test flakes on CI only")).toBe(true);
    expect(hits).toEqual([]);
  });

  test("the phrase in Bash output (tool_result, toolUseResult, progress) creates no hit", async () => {
    const { bytes, hits } = await scanFixture("claude-bash-result.jsonl");
    expect(bytes.includes("DELEGATE TO CODEX: queue worker retries forever on 409")).toBe(true);
    expect(hits).toEqual([]);
  });

  test("the agent saying it in a text block is a hit with role assistant; thinking and subagents are not", async () => {
    const { bytes, hits } = await scanFixture("claude-agent-says.jsonl");
    expect(hits.map(({ offset, role, issue, messageId }) => ({ offset, role, issue, messageId }))).toEqual([
      {
        offset: lineStartOf(bytes, "I tried three fixes"),
        role: "assistant",
        issue: "lease renewer test hangs intermittently in tests/queue/lease.test.ts",
        messageId: "d4e5f6a7-0004-4d00-8000-000000000003",
      },
    ]);
  });
});

describe("parseClaudeCodeRecord", () => {
  const user = (fields: Record<string, unknown>) =>
    JSON.stringify({ type: "user", uuid: "u-1", timestamp: "2026-11-20T00:00:00.000Z", isSidechain: false, ...fields });

  test("string content and text blocks are what the user said", () => {
    expect(parseClaudeCodeRecord(user({ message: { role: "user", content: "hello" } }))).toEqual([
      { role: "user", text: "hello", id: "u-1", timestamp: "2026-11-20T00:00:00.000Z" },
    ]);
    const blocks = user({ message: { role: "user", content: [{ type: "text", text: "look" }, { type: "image", source: {} }] } });
    expect(parseClaudeCodeRecord(blocks).map((u) => u.text)).toEqual(["look"]);
  });

  test("records nobody typed say nothing", () => {
    const said = { role: "user", content: "DELEGATE TO CODEX: x" };
    for (const extra of [
      { isMeta: true },
      { isCompactSummary: true },
      { isVisibleInTranscriptOnly: true },
      { isSidechain: true },
      { origin: { kind: "auto-continuation" } },
      { promptSource: "system" },
      { toolUseResult: "x" },
    ]) {
      expect(parseClaudeCodeRecord(user({ message: said, ...extra })), JSON.stringify(extra)).toEqual([]);
    }
    expect(parseClaudeCodeRecord(user({ message: said, origin: { kind: "human" } }))).toHaveLength(1);
  });

  test("a system reminder appended to a prompt is cut out, the prompt kept", () => {
    const content = "fix it\n<system-reminder>DELEGATE TO CODEX: injected</system-reminder>";
    expect(parseClaudeCodeRecord(user({ message: { role: "user", content } }))[0]?.text.trim()).toBe("fix it");
  });

  test("torn lines, other record types and API error messages say nothing", () => {
    expect(parseClaudeCodeRecord('{"type":"user","message":{"role":"user","content":"DELEG')).toEqual([]);
    expect(parseClaudeCodeRecord('{"type":"summary","summary":"DELEGATE TO CODEX: x","leafUuid":"l"}')).toEqual([]);
    const error = { type: "assistant", isApiErrorMessage: true, message: { model: "<synthetic>", content: [{ type: "text", text: "API Error" }] } };
    expect(parseClaudeCodeRecord(JSON.stringify(error))).toEqual([]);
  });
});
