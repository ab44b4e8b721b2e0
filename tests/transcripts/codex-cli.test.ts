// codex-rollout-0.169.0.jsonl was written by the real codex 0.169.0 (node_modules) in a `codex exec`
// run against a local model stand-in, with an AGENTS.md that contains the phrase, a tool call that
// printed a file containing it, and an agent reply that says it; only long instruction texts were
// shortened. The legacy and envelope fixtures follow the older shapes quoted in codex-cli.ts.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { codexSessionSkip, parseCodexCliRecord, parseCodexSessionMeta } from "../../src/transcripts/formats/codex-cli.js";
import { scanChunk } from "../../src/transcripts/scan-chunk.js";

const fixtures = path.join(import.meta.dirname, "../fixtures/transcripts");

async function hitsOf(name: string) {
  const bytes = await readFile(path.join(fixtures, name));
  const { hits, carry } = scanChunk(bytes, 0, undefined, parseCodexCliRecord);
  expect(carry).toBeUndefined();
  const lineStart = (needle: string): number => bytes.lastIndexOf("\n", bytes.indexOf(needle)) + 1;
  return { hits: hits.map(({ offset, role, issue, messageId }) => ({ offset, role, issue, messageId })), lineStart, bytes };
}

describe("Codex CLI rollouts", () => {
  test("0.169.0: the user's prompt and the agent's reply, once each; AGENTS.md, tool output and event duplicates never", async () => {
    const { hits, lineStart, bytes } = await hitsOf("codex-rollout-0.169.0.jsonl");
    expect(bytes.toString().split("DELEGATE TO CODEX:").length - 1).toBe(9);
    expect(hits).toEqual([
      {
        offset: lineStart('"role":"user","content":[{"type":"input_text","text":"The nightly export'),
        role: "user",
        issue: "nightly export times out since migration 0042",
        messageId: "msg_01a1fe4f-2289-7ad3-a5e0-fa758e5e39c7",
      },
      {
        offset: lineStart('"role":"assistant"'),
        role: "assistant",
        issue: "export job deadlocks on the orders table lock",
        messageId: "msg_2",
      },
    ]);
  });

  test("legacy rollouts (bare items): injected user_instructions and tool output never count", async () => {
    const { hits } = await hitsOf("codex-rollout-legacy.jsonl");
    expect(hits.map(({ role, issue }) => ({ role, issue }))).toEqual([
      { role: "user", issue: "price rounding differs between cart and invoice" },
      { role: "assistant", issue: "invoice rounds line items before summing" },
    ]);
  });

  test("envelope rollouts with user_message events: one hit per utterance, compacted replays ignored", async () => {
    const { hits } = await hitsOf("codex-rollout-envelope.jsonl");
    expect(hits.map(({ role, issue }) => ({ role, issue }))).toEqual([{ role: "user", issue: "stock sync double-counts returned items" }]);
  });
});

describe("parseCodexCliRecord", () => {
  test("provenance labels decide which user content items were typed", () => {
    const line = JSON.stringify({
      timestamp: "2026-11-21T13:27:51.044Z",
      type: "response_item",
      payload: {
        type: "message",
        id: "msg_1",
        role: "user",
        content: [
          { type: "input_text", text: "typed" },
          { type: "input_text", text: "plain text a hook added" },
        ],
        internal_chat_message_metadata_passthrough: {
          content_item_metadata: [{ provenance: { type: "user" } }, { provenance: { type: "harness", hook: true } }],
        },
      },
    });
    expect(parseCodexCliRecord(line)).toEqual([{ role: "user", text: "typed", id: "msg_1", timestamp: "2026-11-21T13:27:51.044Z" }]);
  });

  test("developer messages, reasoning and torn lines say nothing", () => {
    const developer = { type: "response_item", payload: { type: "message", role: "developer", content: [{ type: "input_text", text: "x" }] } };
    expect(parseCodexCliRecord(JSON.stringify(developer))).toEqual([]);
    expect(parseCodexCliRecord('{"type":"reasoning","summary":[{"type":"summary_text","text":"x"}]}')).toEqual([]);
    expect(parseCodexCliRecord('{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"inp')).toEqual([]);
  });
});

describe("parseCodexSessionMeta", () => {
  test("reads who started the session, so `codex exec` runs (the relay's own) can be skipped", async () => {
    const first = (await readFile(path.join(fixtures, "codex-rollout-0.169.0.jsonl"), "utf8")).split("\n", 1)[0] ?? "";
    expect(parseCodexSessionMeta(first)).toEqual({
      id: "01a1fe4f-220d-7ee2-8494-c20aab81d0cb",
      source: "exec",
      originator: "codex_exec",
      cwd: "/home/dev/shop",
    });
    const legacy = (await readFile(path.join(fixtures, "codex-rollout-legacy.jsonl"), "utf8")).split("\n", 1)[0] ?? "";
    expect(parseCodexSessionMeta(legacy)).toEqual({ id: "7c1e4b2a-90d3-4f5e-8a61-2b9c0d3e4f51" });
    expect(parseCodexSessionMeta('{"record_type":"state"}')).toBeUndefined();
    expect(parseCodexSessionMeta('{"type":"event_msg","payload":{"id":"x"}}')).toBeUndefined();
  });
});

describe("codexSessionSkip: whose session a rollout is", () => {
  test("source decides first, the originator only without one; sub-agents never count", () => {
    expect(codexSessionSkip({ id: "a", source: "cli", originator: "codex_cli_rs" })).toBeUndefined();
    expect(codexSessionSkip({ id: "a", source: "vscode", originator: "codex_exec" })).toBeUndefined(); // an overridden originator
    expect(codexSessionSkip({ id: "a", source: "exec", originator: "codex_cli_rs" })).toBe("codex exec session");
    expect(codexSessionSkip({ id: "a", originator: "codex_exec" })).toBe("codex exec session");
    expect(codexSessionSkip({ id: "a", originator: "codex_cli_rs" })).toBeUndefined();
    expect(codexSessionSkip(undefined)).toBeUndefined();
  });

  test("parseCodexSessionMeta marks a sub-agent's rollout, a spawned thread or a reviewer", () => {
    const line = (source: unknown) => JSON.stringify({ timestamp: "t", type: "session_meta", payload: { id: "01b2", originator: "codex_cli_rs", source } });
    const spawned = parseCodexSessionMeta(line({ subagent: { thread_spawn: { parent_thread_id: "01a1", depth: 1 } } }));
    expect(spawned).toMatchObject({ id: "01b2", subagent: true });
    expect(codexSessionSkip(spawned)).toBe("codex sub-agent session");
    expect(codexSessionSkip(parseCodexSessionMeta(line({ subagent: "review" })))).toBe("codex sub-agent session");
    expect(codexSessionSkip(parseCodexSessionMeta(line("cli")))).toBeUndefined();
  });
});
