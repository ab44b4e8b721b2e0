// scanChunk fed the way the daemon tails a transcript: bytes appended to a real file, read from
// where the last read stopped, with the unfinished last line carried to the next read.
import { appendFile, open, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { parseClaudeCodeRecord } from "../../src/transcripts/formats/claude-code.js";
import { createPlainTextParser } from "../../src/transcripts/formats/plain-text.js";
import { type Hit, type LineParser, type RecordParser, scanChunk } from "../../src/transcripts/scan-chunk.js";
import { testdir } from "../helpers/testdir.js";

let dir: string;
beforeEach(async () => {
  dir = await testdir({}, { prefix: "codex-relay-scan-" });
});

/** Tails one file: every `read()` scans the bytes appended since the previous one. */
function tail(file: string, parse: RecordParser | LineParser) {
  let readTo = 0;
  let carry: Buffer | undefined;
  let consumedTo = 0;
  const hits: Hit[] = [];
  return {
    hits,
    get carry() {
      return carry;
    },
    get consumedTo() {
      return consumedTo;
    },
    async read(): Promise<Hit[]> {
      const handle = await open(file, "r");
      try {
        const { size } = await handle.stat();
        const buffer = Buffer.alloc(size - readTo);
        await handle.read(buffer, 0, buffer.length, readTo);
        const result = scanChunk(buffer, readTo, carry, parse);
        readTo = size;
        carry = result.carry;
        consumedTo = result.consumedTo;
        hits.push(...result.hits);
        return result.hits;
      } finally {
        await handle.close();
      }
    },
  };
}

const userLine = (uuid: string, content: string): string =>
  JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    userType: "external",
    cwd: "/home/dev/shop",
    sessionId: "5f0c2a9e-8d41-4c6b-9a7e-3b2d1e0f4a11",
    version: "2.1.144",
    type: "user",
    message: { role: "user", content },
    uuid,
    timestamp: "2026-11-20T09:15:40.002Z",
  }) + "\n";

const assistantLine = (uuid: string, text: string): string =>
  JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    type: "assistant",
    message: { model: "claude-opus-4-6", id: "msg_01", type: "message", role: "assistant", content: [{ type: "text", text }] },
    uuid,
    timestamp: "2026-11-20T09:15:44.870Z",
  }) + "\n";

describe("scanChunk: appends", () => {
  test("a line split across two appends at every byte of the phrase is found once, complete", async () => {
    const before = assistantLine("a-0", "Looking at the checkout flow now.");
    const line = userLine("u-1", "It fails again.\nDELEGATE TO CODEX: checkout 500 with gift card and coupon");
    const phraseAt = Buffer.byteLength(before) + Buffer.from(line).indexOf("DELEGATE TO CODEX:");
    const whole = Buffer.from(before + line);
    for (let split = phraseAt; split <= phraseAt + "DELEGATE TO CODEX:".length; split++) {
      const file = path.join(dir, `split-${split}.jsonl`);
      await writeFile(file, whole.subarray(0, split));
      const tailer = tail(file, parseClaudeCodeRecord);
      expect(await tailer.read(), `split at ${split}`).toEqual([]);
      await appendFile(file, whole.subarray(split));
      await tailer.read();
      expect(tailer.hits.map(({ offset, issue, messageId }) => ({ offset, issue, messageId })), `split at ${split}`).toEqual([
        { offset: Buffer.byteLength(before), issue: "checkout 500 with gift card and coupon", messageId: "u-1" },
      ]);
      expect(tailer.carry).toBeUndefined();
      expect(tailer.consumedTo).toBe(whole.length);
    }
  });

  test("a half-written last line gives no hit until its line break arrives, across several appends", async () => {
    const file = path.join(dir, "session.jsonl");
    const first = userLine("u-1", "hello");
    const line = userLine("u-2", "DELEGATE TO CODEX: retry storm in the queue worker");
    await writeFile(file, first + line.slice(0, 40));
    const tailer = tail(file, parseClaudeCodeRecord);
    expect(await tailer.read()).toEqual([]);
    expect(tailer.consumedTo).toBe(Buffer.byteLength(first));
    await appendFile(file, line.slice(40, 120)); // still no line break: the carry grows
    expect(await tailer.read()).toEqual([]);
    expect(tailer.carry?.toString()).toBe(line.slice(0, 120));
    await appendFile(file, line.slice(120, -1)); // all but the line break
    expect(await tailer.read()).toEqual([]);
    await appendFile(file, "\n");
    expect((await tailer.read()).map((hit) => hit.issue)).toEqual(["retry storm in the queue worker"]);
    expect(tailer.consumedTo).toBe(Buffer.byteLength(first + line));
  });

  test("Markdown fence state carries across appends: a phrase inside a fence split over two reads stays quiet", async () => {
    const file = path.join(dir, "notes.md");
    await writeFile(file, "# Notes\n\n```\nDELEGATE TO CODEX: an exam");
    const tailer = tail(file, createPlainTextParser());
    expect(await tailer.read()).toEqual([]);
    await appendFile(file, "ple in a fence\n```\n\nDELEGATE TO CODEX: pool starves under load\n");
    expect((await tailer.read()).map(({ role, issue }) => ({ role, issue }))).toEqual([{ role: "user", issue: "pool starves under load" }]);
  });
});

describe("scanChunk: utterances", () => {
  test("the same phrase twice in one message is one hit; once in each of two messages is two", () => {
    const twice = userLine("u-1", "DELEGATE TO CODEX: cache stampede on deploy\n\nagain:\nDELEGATE TO CODEX: cache stampede on deploy");
    const one = scanChunk(Buffer.from(twice), 0, undefined, parseClaudeCodeRecord);
    expect(one.hits.map((hit) => hit.issue)).toEqual(["cache stampede on deploy"]);

    const a = userLine("u-1", "DELEGATE TO CODEX: cache stampede on deploy");
    const b = assistantLine("a-1", "DELEGATE TO CODEX: cache stampede on deploy");
    const two = scanChunk(Buffer.from(a + b), 0, undefined, parseClaudeCodeRecord);
    expect(two.hits.map(({ offset, role }) => ({ offset, role }))).toEqual([
      { offset: 0, role: "user" },
      { offset: Buffer.byteLength(a), role: "assistant" },
    ]);
    expect(new Set(two.hits.map((hit) => hit.key)).size).toBe(2);
  });

  test("re-scanning the same bytes gives the same keys, so a restart dedupes; a rewritten line gets a new key", () => {
    const bytes = Buffer.from(userLine("u-1", "DELEGATE TO CODEX: lock contention in billing"));
    const first = scanChunk(bytes, 100, undefined, parseClaudeCodeRecord).hits;
    const again = scanChunk(bytes, 100, undefined, parseClaudeCodeRecord).hits;
    expect(again.map((hit) => hit.key)).toEqual(first.map((hit) => hit.key));
    expect(first[0]?.offset).toBe(100);
    const rewritten = scanChunk(Buffer.from(userLine("u-9", "DELEGATE TO CODEX: lock contention in billing")), 100, undefined, parseClaudeCodeRecord).hits;
    expect(rewritten[0]?.key).not.toBe(first[0]?.key);
  });

  test("CRLF line endings", () => {
    const bytes = Buffer.from(userLine("u-1", "DELEGATE TO CODEX: windows line endings").replace("\n", "\r\n"));
    const { hits, consumedTo } = scanChunk(bytes, 0, undefined, parseClaudeCodeRecord);
    expect(hits.map((hit) => hit.issue)).toEqual(["windows line endings"]);
    expect(consumedTo).toBe(bytes.length);
  });
});

describe("scanChunk: size", () => {
  test("a 200 MB transcript with the phrase on its last line: one hit at the right offset", () => {
    const block = Buffer.from(
      [
        userLine("u-0", "please look at the flaky export test in tests/export.test.ts"),
        assistantLine("a-0", "I'll read the test first. ".repeat(20)),
        JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "x".repeat(900) }] }, uuid: "t-0" }) + "\n",
      ].join(""),
    );
    const target = 200 * 1024 * 1024;
    const copies = Math.floor(target / block.length);
    const last = userLine("u-last", "DELEGATE TO CODEX: export test flakes under parallel runs");
    const buffer = Buffer.allocUnsafe(copies * block.length + Buffer.byteLength(last));
    for (let i = 0; i < copies; i++) block.copy(buffer, i * block.length);
    buffer.write(last, copies * block.length);
    const { hits, carry, consumedTo } = scanChunk(buffer, 0, undefined, parseClaudeCodeRecord);
    expect(hits.map(({ offset, issue }) => ({ offset, issue }))).toEqual([
      { offset: copies * block.length, issue: "export test flakes under parallel runs" },
    ]);
    expect(carry).toBeUndefined();
    expect(consumedTo).toBe(buffer.length);
  });
});
