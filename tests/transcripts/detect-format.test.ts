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
