// Lines as codex 0.169.0 prints them with `exec --json` (captured from the real binary).
import { describe, expect, it } from "vitest";
import { parseEventLine } from "../../src/codex/events.js";

describe("parseEventLine: known events", () => {
  it("parses thread.started with its thread id", () => {
    expect(parseEventLine('{"type":"thread.started","thread_id":"01a1fe33-4398-7a83-bdca-7c1ec9c2195d"}')).toEqual({
      type: "thread.started",
      thread_id: "01a1fe33-4398-7a83-bdca-7c1ec9c2195d",
    });
  });

  it("parses turn.started", () => {
    expect(parseEventLine('{"type":"turn.started"}')).toEqual({ type: "turn.started" });
  });

  it("parses an agent message item", () => {
    const event = parseEventLine('{"type":"item.completed","item":{"id":"item_1","type":"agent_message","text":"hello there"}}');
    expect(event).toEqual({ type: "item.completed", item: { id: "item_1", type: "agent_message", text: "hello there" } });
  });

  it("keeps the fields of item types it does not model (an error item carries `message`)", () => {
    const line =
      '{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `x` not found. Defaulting to fallback metadata; this can degrade performance and cause issues."}}';
    const event = parseEventLine(line);
    expect(event?.type).toBe("item.completed");
    expect(event).toMatchObject({ item: { id: "item_0", type: "error", message: expect.stringContaining("Model metadata for `x`") } });
  });

  it("parses item.started and item.updated with extra fields kept", () => {
    const started = parseEventLine(
      '{"type":"item.started","item":{"id":"item_2","type":"command_execution","command":"ls","aggregated_output":"","status":"in_progress"}}',
    );
    expect(started).toMatchObject({ type: "item.started", item: { type: "command_execution", command: "ls", status: "in_progress" } });
    const updated = parseEventLine('{"type":"item.updated","item":{"id":"item_3","type":"todo_list","items":[{"text":"a","completed":false}]}}');
    expect(updated).toMatchObject({ type: "item.updated", item: { type: "todo_list", items: [{ text: "a", completed: false }] } });
  });

  it("parses turn.completed usage, keeping fields newer codex versions add", () => {
    const event = parseEventLine(
      '{"type":"turn.completed","usage":{"input_tokens":10,"cached_input_tokens":3,"cache_write_input_tokens":0,"output_tokens":5,"reasoning_output_tokens":1}}',
    );
    expect(event).toEqual({
      type: "turn.completed",
      usage: { input_tokens: 10, cached_input_tokens: 3, cache_write_input_tokens: 0, output_tokens: 5, reasoning_output_tokens: 1 },
    });
  });

  it("fills missing usage counters with 0 (older codex has no reasoning_output_tokens)", () => {
    const event = parseEventLine('{"type":"turn.completed","usage":{"input_tokens":1200,"cached_input_tokens":200,"output_tokens":345}}');
    expect(event).toEqual({
      type: "turn.completed",
      usage: { input_tokens: 1200, cached_input_tokens: 200, output_tokens: 345, reasoning_output_tokens: 0 },
    });
  });

  it("parses turn.completed without usage", () => {
    expect(parseEventLine('{"type":"turn.completed"}')).toEqual({ type: "turn.completed" });
  });

  it("parses turn.failed and error with their messages", () => {
    expect(parseEventLine('{"type":"turn.failed","error":{"message":"unexpected status 401 Unauthorized: nope"}}')).toEqual({
      type: "turn.failed",
      error: { message: "unexpected status 401 Unauthorized: nope" },
    });
    expect(parseEventLine('{"type":"error","message":"exceeded retry limit, last status: 429 Too Many Requests"}')).toEqual({
      type: "error",
      message: "exceeded retry limit, last status: 429 Too Many Requests",
    });
  });

  it("tolerates surrounding whitespace and a trailing carriage return", () => {
    expect(parseEventLine('  {"type":"turn.started"}\r')).toEqual({ type: "turn.started" });
  });
});

describe("parseEventLine: tolerant branch", () => {
  it("turns an unknown event type into `unknown` keeping the object", () => {
    expect(parseEventLine('{"type":"turn.plan_updated","plan":[]}')).toEqual({
      type: "unknown",
      raw: { type: "turn.plan_updated", plan: [] },
    });
  });

  it("turns a non-JSON line (codex's stderr-ish noise) into `unknown` keeping the text", () => {
    expect(parseEventLine("Reading additional input from stdin...")).toEqual({ type: "unknown", raw: "Reading additional input from stdin..." });
  });

  it("turns a known type with the wrong shape into `unknown` instead of throwing", () => {
    expect(parseEventLine('{"type":"thread.started"}')).toEqual({ type: "unknown", raw: { type: "thread.started" } });
    expect(parseEventLine('{"type":"turn.failed","error":"boom"}')).toEqual({ type: "unknown", raw: { type: "turn.failed", error: "boom" } });
    expect(parseEventLine('{"type":"item.completed","item":{"id":"x"}}')?.type).toBe("unknown");
  });

  it("turns JSON that is not an object into `unknown`", () => {
    expect(parseEventLine("42")).toEqual({ type: "unknown", raw: 42 });
    expect(parseEventLine('["thread.started"]')).toEqual({ type: "unknown", raw: ["thread.started"] });
    expect(parseEventLine("null")).toEqual({ type: "unknown", raw: null });
  });

  it("returns undefined for a blank line", () => {
    expect(parseEventLine("")).toBeUndefined();
    expect(parseEventLine("   \t\r")).toBeUndefined();
  });
});
