import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { detectFormat, parserFor } from "../../src/transcripts/detect-format.js";
import { scanChunk } from "../../src/transcripts/scan-chunk.js";

const fixtures = path.join(import.meta.dirname, "../fixtures/transcripts");
const head = (name: string): Promise<string> => readFile(path.join(fixtures, name), "utf8").then((text) => text.slice(0, 4096));

describe("detectFormat", () => {
  test("by where each tool writes its transcripts", () => {
    expect(detectFormat("/home/dev/.claude/projects/-home-dev-shop/5f0c2a9e-8d41-4c6b-9a7e-3b2d1e0f4a11.jsonl", "")).toBe("claude-code");
    expect(detectFormat("/home/dev/.codex/sessions/2026/11/21/rollout-2026-11-21T13-27-50-01a1fe4a.jsonl", "")).toBe("codex-cli");
    expect(detectFormat("C:\\Users\\dev\\.codex\\sessions\\2026\\11\\21\\rollout-x.jsonl", "")).toBe("codex-cli");
    expect(detectFormat("/home/dev/shop/.aider.chat.history.md", "")).toBe("aider");
    expect(detectFormat("/home/dev/shop/notes/debug.md", "# Debugging log")).toBe("plain");
  });

  test("by the first line when the file lives elsewhere", async () => {
    expect(detectFormat("/tmp/copy.jsonl", await head("claude-user-says.jsonl"))).toBe("claude-code");
    expect(detectFormat("/tmp/copy.jsonl", '{"type":"summary","summary":"Fix checkout","leafUuid":"l-1"}\n')).toBe("claude-code");
    expect(detectFormat("/tmp/copy.jsonl", await head("codex-rollout-0.169.0.jsonl"))).toBe("codex-cli");
    expect(detectFormat("/tmp/copy.jsonl", await head("codex-rollout-legacy.jsonl"))).toBe("codex-cli");
    expect(detectFormat("/tmp/chat.md", await head("aider.chat.history.md"))).toBe("aider");
    expect(detectFormat("/tmp/other.jsonl", '{"level":"info","msg":"started"}\n')).toBe("plain");
    expect(detectFormat("/tmp/empty.log", "")).toBe("plain");
  });

  test("a Claude Code transcript by its structure, whatever its first record's type (CLAUDE_CONFIG_DIR moves it)", () => {
    const session = "5f0c2a9e-8d41-4c6b-9a7e-3b2d1e0f4a11";
    const lines = [
      { type: "mode", mode: "default" },
      { type: "queue-operation", operation: "enqueue", sessionId: session, timestamp: "2026-11-20T09:15:40.002Z", content: "DELEGATE TO CODEX: queued" },
      { type: "attachment", sessionId: session, attachment: { type: "hook_additional_context", content: "DELEGATE TO CODEX: from a hook" } },
      { type: "user", sessionId: session, uuid: "u-1", message: { role: "user", content: "hello" } },
    ];
    const head = lines.map((line) => JSON.stringify(line)).join("\n") + "\n";
    expect(detectFormat("/home/dev/claude-config/projects/-home-dev-shop/x.jsonl", head)).toBe("claude-code");
    // a first record longer than the head: its opening keys tell
    expect(detectFormat("/tmp/x.jsonl", `{"parentUuid":null,"isSidechain":false,"sessionId":"${session}","type":"user","message":{"content":"${"x".repeat(100)}`)).toBe("claude-code");
    // JSONL of another tool, with a type but no session id, stays plain
    expect(detectFormat("/tmp/events.jsonl", '{"type":"start","at":1}\n{"type":"stop","at":2}\n')).toBe("plain");
    // queue-operation and attachment records repeat the prompt and the hook's context: never speech
    const bytes = Buffer.from(head);
    expect(scanChunk(bytes, 0, undefined, parserFor("claude-code")).hits).toEqual([]);
  });

  test("parserFor gives each format a parser that finds its fixture's phrase", async () => {
    for (const [name, issue] of [
      ["claude-agent-says.jsonl", "lease renewer test hangs intermittently in tests/queue/lease.test.ts"],
      ["codex-rollout-legacy.jsonl", "price rounding differs between cart and invoice"],
      ["aider.chat.history.md", "coupon total can go negative after gift card"],
      ["session-log.md", "connection pool starves under the nightly import"],
    ] as const) {
      const bytes = await readFile(path.join(fixtures, name));
      const format = detectFormat(path.join("/tmp", name), bytes.toString("utf8", 0, 4096));
      expect(scanChunk(bytes, 0, undefined, parserFor(format)).hits[0]?.issue, name).toBe(issue);
    }
  });
});
