// Steps in words from a request's events (src/codex/progress-step.ts). The event lines are as
// codex 0.169.0 wrote them against the model fixture (tests/cli/follow-progress.test.ts runs the
// real binary end to end); the relay's own `relay.*` events as PROTOCOL.md §3.3 documents them.
import { describe, expect, it } from "vitest";
import { commandStep, ProgressTracker } from "../../src/codex/progress-step.js";

describe("commandStep", () => {
  it("says what a command reads, searches or lists, and runs anything else by name", () => {
    expect(commandStep("/bin/bash -c 'cat src/x.js'")).toBe("reading src/x.js");
    expect(commandStep("/bin/bash -lc \"sed -n '1,80p' src/cart.ts\"")).toBe("reading src/cart.ts");
    expect(commandStep("bash -lc 'head -n 20 a.py b.py'")).toBe("reading a.py, b.py");
    expect(commandStep("/bin/bash -c 'rg -n validateEmail src'")).toBe("searching for validateEmail in src");
    expect(commandStep("/bin/bash -c 'grep -A 3 TODO src/a.ts'")).toBe("searching for TODO in src/a.ts");
    expect(commandStep("/bin/bash -c 'ls'")).toBe("listing files");
    expect(commandStep("/bin/bash -c 'npm test'")).toBe("running npm test");
    expect(commandStep("/bin/bash -c 'cat a.js | wc -l'")).toBe("running cat a.js | wc -l");
    expect(commandStep("/bin/bash -c 'echo it'\\''s'")).toBe("running echo it's");
  });
});

describe("ProgressTracker", () => {
  it("follows a run from queued to its answer, with paths relative to Codex's root and tokens so far", () => {
    const tracker = new ProgressTracker();
    const seen: string[] = [];
    const events: unknown[] = [
      { type: "relay.step", step: "baseline: node test.js", at: "2026-12-03T00:00:00.000Z" },
      { type: "relay.codex_started", cwd: "/tmp/sandbox-1", at: "2026-12-03T00:00:01.000Z" },
      { type: "thread.started", thread_id: "t" },
      { type: "turn.started" },
      { type: "item.started", item: { id: "item_0", type: "command_execution", command: "/bin/bash -c 'npm test'", aggregated_output: "", exit_code: null, status: "in_progress" } },
      { type: "relay.usage", input_tokens: 10, cached_input_tokens: 3, output_tokens: 5, reasoning_output_tokens: 1 },
      { type: "item.completed", item: { id: "item_0", type: "command_execution", command: "/bin/bash -c 'npm test'", aggregated_output: "1 failing\n", exit_code: 1, status: "failed" } },
      { type: "item.started", item: { id: "item_1", type: "file_change", changes: [{ path: "/tmp/sandbox-1/src/cart.ts", kind: "update" }, { path: "/tmp/sandbox-1/src/y.ts", kind: "add" }], status: "in_progress" } },
      { type: "item.completed", item: { id: "item_1", type: "file_change", changes: [], status: "completed" } },
      { type: "item.started", item: { id: "item_2", type: "mcp_tool_call", server: "docs", tool: "search", status: "in_progress" } },
      { type: "item.started", item: { id: "item_3", type: "web_search", query: "vitest fake timers" } },
      { type: "item.completed", item: { id: "item_4", type: "reasoning", text: "…" } },
      { type: "item.completed", item: { id: "item_5", type: "agent_message", text: "{}" } },
      { type: "turn.completed", usage: { input_tokens: 40, cached_input_tokens: 12, output_tokens: 20, reasoning_output_tokens: 4 } },
    ];
    for (const event of events) if (tracker.see(event)) seen.push(tracker.step);
    expect(seen).toEqual([
      "baseline: node test.js",
      "starting Codex",
      "thinking",
      "running npm test",
      "running npm test: exit 1",
      "editing src/cart.ts, creating src/y.ts",
      "thinking",
      "calling docs.search",
      "searching the web for vitest fake timers",
      "thinking",
      "writing the answer",
    ]);
    expect(tracker.tokens).toBe(15); // the gateway's running total covers every turn: Codex's own count is not added to it
  });

  it("numbers reconnects, counts Codex's own tokens without a gateway, and ignores what it does not know", () => {
    const tracker = new ProgressTracker();
    expect(tracker.see({ type: "error", message: "Reconnecting... 1/5 (stream disconnected)" })).toBe(true);
    expect(tracker.step).toBe("reconnecting to the provider (1): Reconnecting... 1/5 (stream disconnected)");
    tracker.see({ type: "error", message: "Reconnecting... 2/5 (stream disconnected)" });
    expect(tracker.step).toMatch(/^reconnecting to the provider \(2\)/);
    for (const odd of [null, "text", { type: "item.updated", item: { type: "todo_list" } }, { type: "session.configured" }, { type: "error", message: "boom" }]) {
      expect(tracker.see(odd)).toBe(false);
    }
    tracker.see({ type: "turn.completed", usage: { input_tokens: 40, output_tokens: 20 } });
    tracker.see({ type: "turn.completed", usage: { input_tokens: 4, output_tokens: 2 } });
    expect(tracker.tokens).toBe(66);
    expect(tracker.see({ type: "turn.failed", error: { message: "stream error" } })).toBe(true);
    expect(tracker.step).toBe("Codex failed: stream error");
  });
});
