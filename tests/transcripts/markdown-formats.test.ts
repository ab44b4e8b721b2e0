// aider.chat.history.md is generated exactly the way aider/io.py writes `.aider.chat.history.md`
// (user_input, ai_output, tool_output); session-log.md is a hand-written Markdown debugging log.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { createAiderParser } from "../../src/transcripts/formats/aider.js";
import { createPlainTextParser } from "../../src/transcripts/formats/plain-text.js";
import { type Hit, type LineParser, scanChunk } from "../../src/transcripts/scan-chunk.js";

const fixtures = path.join(import.meta.dirname, "../fixtures/transcripts");

const said = (hits: Hit[]) => hits.map(({ offset, role, issue }) => ({ offset, role, issue }));

/** Scans `bytes` in two appends split at `at`, restarting from the persisted snapshot in between. */
function scanWithRestart(bytes: Buffer, at: number, create: (saved?: unknown) => LineParser): Hit[] {
  const first = create();
  const one = scanChunk(bytes.subarray(0, at), 0, undefined, first);
  const saved: unknown = JSON.parse(JSON.stringify(first.snapshot()));
  // After a restart the daemon re-reads from consumedTo, so the unfinished line comes back whole.
  const two = scanChunk(bytes.subarray(one.consumedTo), one.consumedTo, undefined, create(saved));
  return [...one.hits, ...two.hits];
}

describe("Aider chat history", () => {
  test("#### prompts and the assistant's prose count; > tool output, /git output, code and fences never", async () => {
    const bytes = await readFile(path.join(fixtures, "aider.chat.history.md"));
    const { hits, carry } = scanChunk(bytes, 0, undefined, createAiderParser());
    expect(carry).toBeUndefined();
    const lineOf = (needle: string): number => bytes.indexOf(needle);
    expect(said(hits)).toEqual([
      { offset: lineOf("DELEGATE TO CODEX: coupon total can go negative"), role: "assistant", issue: "coupon total can go negative after gift card" },
      // Said twice in one multi-line prompt: one request, at its first line.
      {
        offset: lineOf("#### DELEGATE TO CODEX: coupon total negative with two stacked coupons"),
        role: "user",
        issue: "coupon total negative with two stacked coupons",
      },
    ]);
  });

  test("every split point, with a restart from the snapshot, finds the same hits", async () => {
    const bytes = await readFile(path.join(fixtures, "aider.chat.history.md"));
    const whole = said(scanChunk(bytes, 0, undefined, createAiderParser()).hits);
    for (let at = 0; at <= bytes.length; at += 7) {
      expect(said(scanWithRestart(bytes, at, createAiderParser)), `split at ${at}`).toEqual(whole);
    }
  });

  test("a corrupt snapshot starts from a fresh state instead of failing", () => {
    const parser = createAiderParser({ role: "nobody", said: 3 });
    const { hits } = scanChunk(Buffer.from("\n#### DELEGATE TO CODEX: fresh start  \n"), 0, undefined, parser);
    expect(said(hits)).toEqual([{ offset: 1, role: "user", issue: "fresh start" }]);
  });
});

/** A history written the way aider/io.py's append_chat_history writes one (user_input, ai_output, tool_output). */
function aiderHistory(): { userInput(text: string): void; aiOutput(text: string): void; toolOutput(text: string): void; bytes(): Buffer } {
  let out = "\n# aider chat started at 2026-11-19 16:02:44\n\n";
  const append = (text: string, { linebreak = false, blockquote = false } = {}) => {
    if (blockquote) text = `> ${text.trim()}`;
    if (linebreak) text = `${text.trimEnd()}  \n`;
    if (!text.endsWith("\n")) text += "\n";
    out += text;
  };
  return {
    userInput: (text) => append(`\n#### ${(text ? text.split("\n") : ["<blank>"]).join("  \n#### ")}`, { linebreak: true }),
    aiOutput: (text) => append(`\n${text.trim()}\n\n`),
    toolOutput: (text) => append(text, { linebreak: true, blockquote: true }),
    bytes: () => Buffer.from(out),
  };
}

describe("Aider: tool output, fences and architect mode", () => {
  const hitsOf = (bytes: Buffer) => said(scanChunk(bytes, 0, undefined, createAiderParser()).hits).map(({ role, issue }) => ({ role, issue }));

  test("a multi-line tool output (/paste) is never speech, blank lines and unquoted lines included", () => {
    const h = aiderHistory();
    h.userInput("/paste");
    h.toolOutput("Added clipboard text to the chat:\nnotes from the incident\n\nDELEGATE TO CODEX: pasted, not said\nlast pasted line");
    h.userInput("DELEGATE TO CODEX: said after the paste");
    h.aiOutput("Looking into it.\n\n> a quote in my reply\n\nDelegate to Codex: said by the assistant after its quote");
    expect(hitsOf(h.bytes())).toEqual([
      { role: "user", issue: "said after the paste" },
      { role: "assistant", issue: "said by the assistant after its quote" },
    ]);
  });

  test("a #### line inside a fence of the reply stays in the fence; the next real prompt is still a prompt", () => {
    const h = aiderHistory();
    h.userInput("write a README section");
    h.aiOutput("Here:\n\n```markdown\nIntro\n\n#### Usage\nDELEGATE TO CODEX: an example inside the snippet\n```\n\nDone.");
    h.userInput("DELEGATE TO CODEX: the real ask");
    expect(hitsOf(h.bytes())).toEqual([{ role: "user", issue: "the real ask" }]);
  });

  test("architect mode: the architect's phrase is one request, the assistant's, not the editor's echo", () => {
    const h = aiderHistory();
    h.userInput("plan the cart fix");
    const plan = "Change the discount order.\n\nDELEGATE TO CODEX: discount applied after tax";
    h.aiOutput(plan);
    h.userInput(plan); // the editor model's input, written as a prompt
    h.aiOutput("src/cart.py\n```python\nx = 1\n```");
    h.toolOutput("Applied edit to src/cart.py");
    h.userInput("DELEGATE TO CODEX: discount applied after tax");
    expect(hitsOf(h.bytes())).toEqual([
      { role: "assistant", issue: "discount applied after tax" },
      // asked again by the user in a later prompt, after the editor's reply: a new ask
      { role: "user", issue: "discount applied after tax" },
    ]);
  });
});

describe("plain text and Markdown logs", () => {
  test("fenced, quoted and indented phrases never count; a prose bullet does", async () => {
    const bytes = await readFile(path.join(fixtures, "session-log.md"));
    const { hits } = scanChunk(bytes, 0, undefined, createPlainTextParser());
    expect(said(hits)).toEqual([
      { offset: bytes.indexOf("- DELEGATE TO CODEX:"), role: "user", issue: "connection pool starves under the nightly import" },
    ]);
  });

  test("fence state carries across appends and restarts", async () => {
    const bytes = await readFile(path.join(fixtures, "session-log.md"));
    const whole = said(scanChunk(bytes, 0, undefined, createPlainTextParser()).hits);
    expect(whole).toHaveLength(1);
    for (let at = 0; at <= bytes.length; at += 5) {
      expect(said(scanWithRestart(bytes, at, createPlainTextParser)), `split at ${at}`).toEqual(whole);
    }
  });
});
