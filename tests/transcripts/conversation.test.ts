// What the context of a phrase is made of, from the transcript fixtures and small hand-made records:
// tool calls and their output (formats/*Activity), the mentions, the latest error and the fixes tried.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { conversationOf, pathsIn, summarize } from "../../src/transcripts/conversation.js";
import { parseClaudeCodeActivity } from "../../src/transcripts/formats/claude-code.js";
import { parseCodexCliActivity } from "../../src/transcripts/formats/codex-cli.js";
import { headAndTail } from "../../src/transcripts/gather-context.js";

const fixtures = path.join(import.meta.dirname, "../fixtures/transcripts");

describe("tool activity", () => {
  test("Claude Code: tool_use names its files and command; a tool_result is output, failed when is_error or Exit code", async () => {
    const lines = (await readFile(path.join(fixtures, "claude-bash-result.jsonl"), "utf8")).split("\n").filter(Boolean);
    const activity = lines.flatMap(parseClaudeCodeActivity);
    expect(activity).toEqual([
      { kind: "call", name: "Bash", id: "toolu_01Bv4nM7kJ2hG5fD8sA1qW3e", command: "grep -h '^DELEGATE TO CODEX:' notes/delegations.log", paths: [] },
      { kind: "output", id: "toolu_01Bv4nM7kJ2hG5fD8sA1qW3e", failed: false, text: expect.stringContaining("queue worker retries forever on 409") },
    ]);
    const failed = JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "Exit code 2\nboom" }] }] } });
    expect(parseClaudeCodeActivity(failed)).toEqual([{ kind: "output", id: "t", text: "Exit code 2\nboom", failed: true }]);
    const read = JSON.stringify({ type: "assistant", message: { role: "assistant", content: [{ type: "tool_use", id: "r", name: "Read", input: { file_path: "/w/src/a.ts" } }] } });
    expect(parseClaudeCodeActivity(read)).toEqual([{ kind: "call", id: "r", name: "Read", paths: ["/w/src/a.ts"] }]);
  });

  test("Codex CLI: exit status from every version's output shape", async () => {
    const current = (await readFile(path.join(fixtures, "codex-rollout-0.169.0.jsonl"), "utf8")).split("\n").filter(Boolean).flatMap(parseCodexCliActivity);
    expect(current).toEqual([
      { kind: "call", id: "call_1", name: "exec_command", command: "cat docs/runbook.md", paths: [] },
      { kind: "output", id: "call_1", failed: false, text: expect.stringContaining("Process exited with code 0") },
    ]);
    const legacy = (await readFile(path.join(fixtures, "codex-rollout-legacy.jsonl"), "utf8")).split("\n").filter(Boolean).flatMap(parseCodexCliActivity);
    expect(legacy).toEqual([
      { kind: "call", id: "call_Qm3rT8", name: "shell", command: "cat NOTES.md", paths: [] },
      { kind: "output", id: "call_Qm3rT8", failed: false, text: "DELEGATE TO CODEX: a note in a file codex read\n" },
    ]);
    const output = (text: string) => JSON.stringify({ type: "response_item", payload: { type: "function_call_output", call_id: "c", output: text } });
    expect(parseCodexCliActivity(output("Process exited with code 1\nOutput:\nnope"))[0]).toMatchObject({ failed: true });
    expect(parseCodexCliActivity(output("Exit code: 127\ncommand not found"))[0]).toMatchObject({ failed: true });
    expect(parseCodexCliActivity(output(JSON.stringify({ output: "E", metadata: { exit_code: 3 } })))[0]).toEqual({ kind: "output", id: "c", text: "E", failed: true });
    const patch = JSON.stringify({ type: "response_item", payload: { type: "custom_tool_call", name: "apply_patch", call_id: "p", input: "*** Begin Patch\n*** Update File: src/a.ts\n@@\n*** Add File: src/b.ts\n*** End Patch" } });
    expect(parseCodexCliActivity(patch)).toEqual([{ kind: "call", id: "p", name: "apply_patch", paths: ["src/a.ts", "src/b.ts"] }]);
  });
});

describe("summarize", () => {
  test("the latest failed output wins, with its command; paths from messages, calls and the error; fixes only when said", () => {
    const summary = summarize([
      { kind: "said", role: "user", text: "Tests in src/old.ts broke yesterday.\nI tried rerunning them." },
      { kind: "call", id: "1", name: "Bash", command: "npm test", paths: [] },
      { kind: "output", id: "1", text: "FAIL src/old.test.ts", failed: true },
      { kind: "call", id: "2", name: "Bash", command: "pytest -x", paths: [] },
      { kind: "output", id: "2", text: 'Traceback (most recent call last):\n  File "/w/app/models.py", line 3\nValueError: bad', failed: true },
      { kind: "output", id: "3", text: "all good", failed: false },
      { kind: "said", role: "assistant", text: "What I tried:\n\n- pinning the version\n- clearing the cache\n\nThis looks like a migration issue in app/migrations/0042.py.\nDELEGATE TO CODEX: see src/phrase-line-only.ts" },
    ]);
    expect(summary.error).toEqual({ command: "pytest -x", text: expect.stringContaining("ValueError: bad") });
    // newest first; the phrase's own line is the issue, not a mention
    expect(summary.mentions).toEqual(["app/migrations/0042.py", "/w/app/models.py", "src/old.test.ts", "src/old.ts"]);
    expect(summary.fixes).toEqual(["I tried rerunning them.", "pinning the version", "clearing the cache"]);
  });

  test("a traceback pasted in a fenced block of a message is error output too", () => {
    const summary = summarize([{ kind: "said", role: "user", text: "It crashes:\n```\nError: ENOENT: no such file, open 'config/app.json'\n    at Object.openSync (node:fs:573:3)\n```" }]);
    expect(summary.error?.text).toContain("Error: ENOENT");
    expect(summary.fixes).toEqual([]);
  });

  test("aider: #### prompts, > tool output (an error when it looks like one), and the assistant's replies", () => {
    const text = "#### fix the tests\n\nSure, editing src/cart.py.\n\n> Running pytest\n> FAILED tests/test_cart.py::test_total - AssertionError\n\n#### DELEGATE TO CODEX: cart totals\n";
    const items = conversationOf(Buffer.from(text), "aider", true);
    expect(items.map((i) => (i.kind === "said" ? `${i.role}` : `${i.kind}:${String((i as { failed: boolean }).failed)}`))).toEqual(["user", "assistant", "output:true", "user"]);
    expect(summarize(items).error?.text).toContain("FAILED tests/test_cart.py");
  });
});

describe("pathsIn and headAndTail", () => {
  test("tokens with a slash or an extension, without line numbers, URLs, flags or versions", () => {
    expect(pathsIn("see `src/app.ts:12:3`, README.md, https://x.io/a.js, --flag, v1.2.3, 10.5 (tests/a_test.py) and ./lib/x")).toEqual([
      "src/app.ts",
      "README.md",
      "tests/a_test.py",
      "lib/x",
    ]);
  });

  test("long error output keeps its head and its tail within the byte limit", () => {
    const text = `HEAD ${"é".repeat(5000)} TAIL`;
    const cut = headAndTail(text, 1000);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1000);
    expect(cut.startsWith("HEAD ")).toBe(true);
    expect(cut.endsWith(" TAIL")).toBe(true);
    expect(cut).toContain("[… cut …]");
    expect(cut).not.toContain("\uFFFD");
  });
});
