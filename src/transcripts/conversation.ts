// What a stretch of transcript says about the problem behind a phrase: the files it mentions, the
// most recent error output, and the fixes it says were tried. Pure: bytes in, plain data out.
//
// The heuristics are deliberately simple and stated here:
// - a path is a token with a `/` or a file extension (`src/app.ts`, `README.md`, `/abs/x.py:12:3`);
//   whether it exists is checked later, against the workspace;
// - error output is a tool result that failed (a non-zero exit, `is_error`), or any tool output,
//   quoted block or fenced block someone pasted that looks like an error (a traceback, `… Error:`,
//   `FAILED`, `npm ERR!`, `panic:`, …); the most recent one wins;
// - a fix counts as tried only when a line says so: "I tried …", "Tried …", "Attempted: …", or the
//   list items under a line like "Attempted fixes:" / "What I tried:".
import { parseClaudeCodeActivity, parseClaudeCodeRecord } from "./formats/claude-code.js";
import { parseCodexCliActivity, parseCodexCliRecord } from "./formats/codex-cli.js";
import type { TranscriptFormat } from "./detect-format.js";
import { mentionsPhrase } from "./phrase.js";
import type { ToolActivity } from "./tool-activity.js";

export type ConversationItem = { kind: "said"; role: "user" | "assistant"; text: string } | ToolActivity;

export interface ConversationSummary {
  /** Paths as written, newest mention first, deduplicated. */
  mentions: string[];
  /** The most recent error output, with the command that produced it when known. */
  error?: { command?: string; text: string };
  /** Lines that say a fix was tried, oldest first. */
  fixes: string[];
}

const MAX_MENTIONS = 64;
const MAX_FIXES = 10;
const MAX_FIX_CHARS = 300;

/**
 * The items of `window`, transcript bytes in file order. `atLineStart`: the window starts at a line
 * start (else its first, partial line is dropped).
 */
export function conversationOf(window: Buffer, format: TranscriptFormat, atLineStart: boolean): ConversationItem[] {
  let text = window.toString("utf8");
  if (!atLineStart) text = text.slice(text.indexOf("\n") + 1);
  switch (format) {
    case "claude-code":
      return jsonlItems(text, (line) => [...saidItems(parseClaudeCodeRecord(line)), ...parseClaudeCodeActivity(line)]);
    case "codex-cli":
      return jsonlItems(text, (line) => [...saidItems(parseCodexCliRecord(line)), ...parseCodexCliActivity(line)]);
    case "aider":
      return aiderItems(text);
    case "plain":
      return text.trim() === "" ? [] : [{ kind: "said", role: "user", text }];
  }
}

function saidItems(utterances: { role: "user" | "assistant"; text: string }[]): ConversationItem[] {
  return utterances.map(({ role, text }) => ({ kind: "said", role, text }));
}

function jsonlItems(text: string, parse: (line: string) => ConversationItem[]): ConversationItem[] {
  const items: ConversationItem[] = [];
  for (const line of text.split("\n")) if (line.startsWith("{")) items.push(...parse(line));
  return items;
}

// Aider's history (see formats/aider.ts): `#### ` lines are the user's, `> ` blocks are tool output
// and errors aider printed, everything else is the assistant's reply.
function aiderItems(text: string): ConversationItem[] {
  const items: ConversationItem[] = [];
  let role: "user" | "assistant" | "tool" | undefined;
  let lines: string[] = [];
  const flush = () => {
    const body = lines.join("\n");
    if (role && body.trim() !== "") {
      items.push(role === "tool" ? { kind: "output", text: body, failed: looksLikeError(body) } : { kind: "said", role, text: body });
    }
    lines = [];
  };
  for (const line of text.split("\n")) {
    const next = /^####(?: |$)/.test(line) ? "user" : line.startsWith(">") ? "tool" : line.trim() === "" ? role : role === "tool" ? "tool" : "assistant";
    if (next !== role) flush();
    role = next;
    lines.push(next === "user" ? line.slice(5) : next === "tool" ? line.replace(/^> ?/, "") : line);
  }
  flush();
  return items;
}

/** Mentions, the latest error and the fixes tried, from items in file order. */
export function summarize(items: readonly ConversationItem[]): ConversationSummary {
  const commands = new Map<string, string>();
  for (const item of items) if (item.kind === "call" && item.id && item.command) commands.set(item.id, item.command);

  let error: ConversationSummary["error"];
  const mentions: string[] = [];
  const mention = (paths: Iterable<string>) => {
    for (const p of paths) if (mentions.length < MAX_MENTIONS && !mentions.includes(p)) mentions.push(p);
  };
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i]!;
    if (item.kind === "call") {
      mention(item.paths);
      if (item.command) mention(pathsIn(item.command));
    } else if (item.kind === "output") {
      const isError = item.failed || looksLikeError(item.text);
      if (isError) mention(pathsIn(item.text));
      if (isError && !error) {
        const command = item.id ? commands.get(item.id) : undefined;
        error = { text: item.text.trim(), ...(command ? { command } : {}) };
      }
    } else {
      mention(pathsIn(withoutPhraseLines(item.text)));
      if (!error) {
        const pasted = errorBlocksIn(item.text).pop();
        if (pasted) error = { text: pasted };
      }
    }
  }
  return { mentions, ...(error ? { error } : {}), fixes: fixesIn(items) };
}

const ERROR_SIGNS =
  /Traceback \(most recent call last\)|^\s+at \S.*:\d+(?::\d+)?\)?\s*$|\b[A-Z]\w*(?:Error|Exception)\b(?::|\s*$)|^\s*(?:error|fatal)(?:\[\w+\])?:|\bFAIL(?:ED)?\b|npm ERR!|panic:|\bexit (?:code|status) [1-9]|command not found|Segmentation fault/im;

export function looksLikeError(text: string): boolean {
  return ERROR_SIGNS.test(text);
}

// Fenced blocks of a message (a pasted log or traceback) that look like errors.
function errorBlocksIn(text: string): string[] {
  const blocks: string[] = [];
  const fence = /^ {0,3}(`{3,}|~{3,})[^\n]*\n([\s\S]*?)^ {0,3}\1[`~]*[ \t]*$/gm;
  for (const match of text.matchAll(fence)) if (looksLikeError(match[2] ?? "")) blocks.push(match[2]!.trim());
  return blocks;
}

function withoutPhraseLines(text: string): string {
  return text
    .split("\n")
    .filter((line) => !mentionsPhrase(line))
    .join("\n");
}

const SEPARATORS = /[\s`'"()[\]{}<>,;|=]+/;
const EXTENSION = /\.[A-Za-z][A-Za-z0-9_-]{0,9}$/;
const PATH_CHARS = /^[\w@~./+-]+$/;

/** Path-like tokens of `text`, in order of appearance, `:line:col` and trailing punctuation dropped. */
export function pathsIn(text: string): string[] {
  const found: string[] = [];
  for (const raw of text.split(SEPARATORS)) {
    if (raw.length < 3 || raw.length > 300 || raw.includes("://")) continue;
    const token = raw
      .replace(/[.:!?]+$/, "")
      .replace(/(?::\d+){1,2}$/, "")
      .replace(/^\.\//, "");
    if (token.startsWith("-") || !PATH_CHARS.test(token) || /^[\d.]+$/.test(token)) continue;
    if (!token.includes("/") && !EXTENSION.test(token)) continue;
    if (token.includes("..") || token === "/" || token.endsWith("/")) continue;
    if (!found.includes(token)) found.push(token);
  }
  return found;
}

const TRIED_LINE =
  /^(?:(?:I|we)(?:'ve| have)?\s+(?:already\s+|also\s+)?(?:tried|attempted)\b|(?:already\s+)?tried\b|attempted(?:\s+fix(?:es)?)?\s*:|attempt\s*\d*\s*:)/i;
const TRIED_HEADING = /^(?:attempted fixes|fixes (?:tried|attempted)|what (?:I|we)(?:'ve| have)? tried(?: so far)?|tried so far|already tried)\s*:?$/i;
const LIST_ITEM = /^(?:[-*+]|\d{1,3}[.)])\s+(.*)$/;

function fixesIn(items: readonly ConversationItem[]): string[] {
  const fixes: string[] = [];
  const add = (line: string) => {
    const clean = line.trim().slice(0, MAX_FIX_CHARS);
    if (clean !== "" && !fixes.includes(clean)) fixes.push(clean);
  };
  for (const item of items) {
    if (item.kind !== "said") continue;
    let underHeading = false;
    for (const rawLine of item.text.split("\n")) {
      if (mentionsPhrase(rawLine)) continue;
      const line = rawLine.trim().replace(/^#{1,6}\s+/, "").replace(/\*\*|__/g, "");
      const listed = LIST_ITEM.exec(line)?.[1];
      if (TRIED_HEADING.test(line)) {
        underHeading = true;
      } else if (underHeading && line === "") {
        continue; // a blank line between the heading and its list
      } else if (underHeading && listed !== undefined) {
        add(listed);
      } else {
        underHeading = false;
        const said = listed ?? line;
        if (TRIED_LINE.test(said)) add(said);
      }
    }
  }
  return fixes.slice(-MAX_FIXES);
}
