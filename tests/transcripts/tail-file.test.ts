// readAppended over real files: the phrases it finds and where it stops do not depend on how the
// bytes fall into chunks, on where a previous read stopped (page-aligned or not), or on whether
// the last line is finished.
import { appendFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import type { TranscriptFormat } from "../../src/transcripts/detect-format.js";
import type { TranscriptEntry } from "../../src/transcripts/offsets.js";
import { CHUNK_BYTES, readAppended, type TailRead } from "../../src/transcripts/tail-file.js";
import { testdir } from "../helpers/testdir.js";

let dir: string;
beforeEach(async () => {
  dir = await testdir({}, { prefix: "codex-relay-tail-" });
});

// Pages, odd sizes, one below and one above the size from which reads use page-aligned buffers.
const CHUNKS = [4096, 4096 * 3 + 1, 60_000, 64 * 1024, 100_003, CHUNK_BYTES];

let uuid = 0;
const record = (role: "user" | "assistant", text: string): string =>
  JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    type: role,
    message: role === "user" ? { role, content: text } : { model: "claude-opus-4-6", id: "msg_01", type: "message", role, content: [{ type: "text", text }] },
    uuid: `u-${(uuid += 1)}`,
    timestamp: "2026-11-20T09:15:40.002Z",
  }) + "\n";
const toolResult = (content: string): string =>
  JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content }] }, uuid: `t-${(uuid += 1)}` }) + "\n";

/** Ordinary session traffic, `bytes` long or a little more: prompts, replies, tool output with line breaks in it. */
function filler(bytes: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const part =
      i % 3 === 0
        ? record("user", `step ${i}: look at src/module-${i}.ts`)
        : i % 3 === 1
          ? record("assistant", `Reading src/module-${i}.ts. ${"lorem ipsum ".repeat(150 + (i % 17))}`)
          : toolResult("const x = 1; // DELEGATE TO CODEX: quoted in code, never a request\n".repeat(40 + (i % 23)));
    parts.push(part);
    length += Buffer.byteLength(part);
  }
  return parts.join("");
}

async function entryFor(file: string, format: TranscriptFormat): Promise<TranscriptEntry> {
  const info = await stat(file);
  return { dev: info.dev, ino: info.ino, size: 0, offset: 0, format };
}

const said = (read: TailRead | undefined) => read?.hits.map(({ offset, role, issue }) => ({ offset, role, issue }));

describe("readAppended: chunks", () => {
  test("a transcript read whole gives the same phrases and end offset at every chunk size", async () => {
    // Phrases at chunk and page boundaries and inside a line longer than several chunks.
    const parts = [
      filler(4000),
      record("user", "DELEGATE TO CODEX: the first request"),
      filler(70_000),
      toolResult("y".repeat(150_000)),
      record("assistant", `${"context ".repeat(20_000)}\nDELEGATE TO CODEX: said after a long message`),
      filler(130_000),
      record("user", "please read this:\n```\nDELEGATE TO CODEX: an example in a fence\n```"),
      record("user", "DELEGATE TO CODEX: the last request"),
    ];
    const file = path.join(dir, "session.jsonl");
    await writeFile(file, parts.join(""));
    const offsetOf = (i: number) => Buffer.byteLength(parts.slice(0, i).join(""));
    const size = Buffer.byteLength(parts.join(""));
    for (const chunk of CHUNKS) {
      const read = await readAppended(file, await entryFor(file, "claude-code"), chunk);
      expect(said(read), `chunks of ${chunk}`).toEqual([
        { offset: offsetOf(1), role: "user", issue: "the first request" },
        { offset: offsetOf(4), role: "assistant", issue: "said after a long message" },
        { offset: offsetOf(7), role: "user", issue: "the last request" },
      ]);
      expect(read?.entry.offset, `chunks of ${chunk}`).toBe(size);
      expect(read?.bytesRead, `chunks of ${chunk}`).toBe(size);
    }
  });

  test("a Markdown fence opened chunks earlier keeps the phrase inside it quiet", async () => {
    const before = `# Notes\n\n${"Some prose about the build.\n".repeat(3000)}\n`;
    const fenced = `\`\`\`text\n${"log line\n".repeat(2000)}DELEGATE TO CODEX: inside the fence\n${"log line\n".repeat(2000)}\`\`\`\n\n`;
    const after = "DELEGATE TO CODEX: pool starves under load\n";
    const file = path.join(dir, "notes.md");
    await writeFile(file, before + fenced + after);
    for (const chunk of CHUNKS) {
      const read = await readAppended(file, await entryFor(file, "plain"), chunk);
      expect(said(read), `chunks of ${chunk}`).toEqual([{ offset: Buffer.byteLength(before + fenced), role: "user", issue: "pool starves under load" }]);
    }
  });
});

describe("readAppended: appends", () => {
  test("a read resuming mid-page finds only what was appended, at its file offsets", async () => {
    // The last phrase read before sits in the page where the second read starts, which reads that
    // page from its start: it must not come back.
    const lastPhrase = record("user", "DELEGATE TO CODEX: requested before") + record("assistant", "On it.");
    const head = filler(90_000);
    const summary = (length: number) => `${JSON.stringify({ type: "summary", summary: "x".repeat(length) })}\n`;
    const pad = (((3000 - Buffer.byteLength(head + summary(0) + lastPhrase)) % 4096) + 4096) % 4096;
    const old = head + summary(pad) + lastPhrase;
    const appended = [filler(80_000), record("assistant", "DELEGATE TO CODEX: appended later"), filler(200_000), record("user", "DELEGATE TO CODEX: at the end")];
    const at = (i: number) => Buffer.byteLength(old + appended.slice(0, i).join(""));
    for (const chunk of CHUNKS) {
      const file = path.join(dir, `resume-${chunk}.jsonl`);
      await writeFile(file, old);
      const first = await readAppended(file, await entryFor(file, "claude-code"), chunk);
      expect(first?.entry.offset).toBe(Buffer.byteLength(old));
      expect(first!.entry.offset % 4096, "the first read stops inside a page, after the phrase").toBe(3000);
      expect(first?.hits.map((hit) => hit.issue)).toEqual(["requested before"]);
      await appendFile(file, appended.join(""));
      const second = await readAppended(file, first!.entry, chunk);
      expect(second?.reason).toBe("resume");
      expect(said(second), `chunks of ${chunk}`).toEqual([
        { offset: at(1), role: "assistant", issue: "appended later" },
        { offset: at(3), role: "user", issue: "at the end" },
      ]);
      expect(second?.from).toBe(Buffer.byteLength(old));
      expect(second?.bytesRead).toBe(Buffer.byteLength(appended.join("")));
      expect(second?.entry.offset).toBe(at(4));
    }
  });

  test("a half-written last line longer than a chunk is left for the next read, then found once", async () => {
    const done = filler(100_000);
    const line = record("user", `DELEGATE TO CODEX: the long request\n${"details ".repeat(5000)}`);
    const cut = 30_000;
    for (const chunk of CHUNKS) {
      const file = path.join(dir, `half-${chunk}.jsonl`);
      await writeFile(file, done + line.slice(0, cut));
      const first = await readAppended(file, await entryFor(file, "claude-code"), chunk);
      expect(said(first), `chunks of ${chunk}`).toEqual([]);
      expect(first?.entry.offset).toBe(Buffer.byteLength(done));
      await appendFile(file, line.slice(cut));
      const second = await readAppended(file, first!.entry, chunk);
      expect(said(second), `chunks of ${chunk}`).toEqual([{ offset: Buffer.byteLength(done), role: "user", issue: "the long request" }]);
      expect(second?.entry.offset).toBe(Buffer.byteLength(done + line));
      const third = await readAppended(file, second!.entry, chunk);
      expect(said(third)).toEqual([]);
      expect(third?.bytesRead).toBe(0);
    }
  });

  test("a transcript truncated and written again is read from its start", async () => {
    const file = path.join(dir, "rewritten.jsonl");
    await writeFile(file, filler(150_000) + record("user", "DELEGATE TO CODEX: before"));
    const first = await readAppended(file, await entryFor(file, "claude-code"));
    const shorter = filler(70_000) + record("user", "DELEGATE TO CODEX: after the truncation");
    await writeFile(file, shorter);
    const second = await readAppended(file, first!.entry);
    expect(second?.reason).toBe("truncated");
    expect(second?.hits.map((hit) => hit.issue)).toEqual(["after the truncation"]);
    expect(second?.entry.offset).toBe(Buffer.byteLength(shorter));
  });
});
