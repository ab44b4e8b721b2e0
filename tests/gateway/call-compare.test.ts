// How a replayed model call is compared with the recorded one: volatile fields normalised, the
// first real difference named by its JSON path with the text around it.
import { describe, expect, it } from "vitest";
import { firstDifference, normalizeCall } from "../../src/gateway/call-compare.js";

const ids = { fromId: "20261203_010000", toId: "20261202_090000" };

function body(overrides: { prompt?: string; output?: string; date?: string; cacheKey?: string; itemId?: string } = {}) {
  return {
    model: "gpt-5.5",
    prompt_cache_key: overrides.cacheKey ?? "01a2-thread",
    client_metadata: { turn_id: overrides.cacheKey ?? "01a2-turn" },
    input: [
      { type: "message", id: overrides.itemId ?? "msg_1", role: "user", content: [{ type: "input_text", text: `<environment_context>\n<current_date>${overrides.date ?? "2026-12-02"}</current_date>\n</environment_context>` }] },
      { type: "message", id: overrides.itemId ?? "msg_2", role: "user", content: [{ type: "input_text", text: overrides.prompt ?? "# Delegation 20261202_090000\n\n## Issue\nwhy?" }] },
      { type: "function_call_output", id: overrides.itemId ?? "fco_1", call_id: "call_1", output: overrides.output ?? "Chunk ID: 761167\nWall time: 0.0000 seconds\nProcess exited with code 0\nOutput:\n# test repo\n" },
    ],
  };
}

const compare = (recorded: unknown, now: unknown) => firstDifference(normalizeCall(recorded, ids), normalizeCall(now, ids));

describe("comparing a replayed call with the recording", () => {
  it("treats two runs of the same request as equal: ids, cache keys, dates, tool timings and the request id differ by design", () => {
    const now = body({
      prompt: "# Delegation 20261203_010000\n\n## Issue\nwhy?",
      output: "Chunk ID: 47d5f9\nWall time: 0.0123 seconds\nProcess exited with code 0\nOutput:\n# test repo\n",
      date: "2026-12-03",
      cacheKey: "01b9-thread",
      itemId: "msg_9",
    });
    expect(compare(body(), now)).toBeNull();
  });

  it("names the first difference by its path, with the text around it", () => {
    const diff = compare(body(), body({ prompt: "# Delegation 20261203_010000\n\n## Issue\nwhy not?" }));
    // 40 characters either side of the first one that differs; the replay's own id reads as the recorded one.
    expect(diff).toEqual({ path: "input[1].content[0].text", recorded: '…"Delegation 20261202_090000\\n\\n## Issue\\nwhy?"', now: '…"Delegation 20261202_090000\\n\\n## Issue\\nwhy not?"' });
  });

  it("names a tool output that changed, and an input item more or less", () => {
    expect(compare(body(), body({ output: "Chunk ID: 1\nWall time: 0.1 seconds\nProcess exited with code 1\n" }))?.path).toBe("input[2].output");
    const longer = body();
    longer.input.push({ type: "function_call_output", id: "x", call_id: "call_2", output: "more" });
    expect(compare(body(), longer)).toEqual({ path: "input", recorded: "3 items", now: "4 items" });
    expect(compare({ model: "a" }, { model: "a", tools: [] })).toEqual({ path: "tools", recorded: "absent", now: "[]" });
  });
});
