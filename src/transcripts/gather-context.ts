// The context of a request made from a phrase: the message that said it, the workspace files the
// conversation mentioned recently plus those `git status` shows changed, the most recent error
// output and the fixes the transcript says were tried.
//
// "Recently" is the `context_window_bytes` of transcript before the phrase, read back from the file
// when the phrase is found (not kept in memory): a bounded read, the same after a restart as before,
// and independent of the transcript's size. Files are checked by the same guard that embeds a
// request's files (inside the workspace lexically and by realpath, not on the secret deny-list, not
// binary) and only named here; the daemon embeds them like any request's files, under `[limits]`.
// Everything is bounded: the window, the message, the error output, the fixes, the file count, each
// file's size and their total.
import { open } from "node:fs/promises";
import type { Config } from "../config/schema.js";
import { runGit } from "../git/run-git.js";
import { DEFAULT_SECRET_DENY, readRequestedFiles } from "../security/file-guard.js";
import { conversationOf, summarize, type ConversationItem } from "./conversation.js";
import type { TranscriptFormat } from "./detect-format.js";
import { mentionsPhrase } from "./phrase.js";
import type { Hit } from "./scan-chunk.js";

export interface PhraseContext {
  context: string;
  errorLogs: string;
  attemptedFixes: string[];
  files: string[];
}

export interface GatherOptions {
  workspace: string;
  transcript: string;
  format: TranscriptFormat;
  hit: Hit;
  limits: Config["transcripts"];
  /** The config's `security.deny`, added to the built-in deny-list. */
  deny: readonly string[];
}

const MAX_MESSAGE_CHARS = 4000;
const MAX_CANDIDATES = 64;
const RELAY_STATE = /^\.autonomous_runs(?:\/|$)|^\.git(?:\/|$)/;
const FORMAT_NAMES: Record<TranscriptFormat, string> = {
  "claude-code": "a Claude Code",
  "codex-cli": "a Codex CLI",
  aider: "an Aider",
  plain: "a plain text",
};

export async function gatherContext(options: GatherOptions): Promise<PhraseContext> {
  const { hit, limits } = options;
  const changing = changedFiles(options.workspace); // git runs while the window is read and parsed
  const rest = options.format === "aider" && hit.role === "user" ? restOfAiderPrompt : undefined;
  const { window, atLineStart } = await readWindow(options.transcript, hit.offset, limits.context_window_bytes, rest).catch(async (error: unknown) => {
    await changing; // never leave the git child unattended
    throw error;
  });
  const items = conversationOf(window, options.format, atLineStart);
  const summary = summarize(items);
  const changed = await changing;
  const picked = await pickFiles(options, [...summary.mentions, ...changed]);

  const who = hit.role === "user" ? "the user" : "the agent";
  const when = hit.timestamp ? `, ${hit.timestamp}` : "";
  const lines = [`Said by ${who} in ${FORMAT_NAMES[options.format]} transcript: ${options.transcript} (byte ${hit.offset}${when}).`];
  const message = messageOf(items, hit);
  if (message) lines.push("", message);
  if (picked.tooLarge.length > 0) {
    lines.push("", `Mentioned but not listed, larger than transcripts.max_context_file_bytes (${limits.max_context_file_bytes}): ${picked.tooLarge.join(", ")}`);
  }
  if (picked.overBudget.length > 0) {
    lines.push("", `Mentioned or changed but not listed (transcripts.max_context_files / max_context_bytes reached): ${picked.overBudget.join(", ")}`);
  }
  const error = summary.error;
  return {
    context: lines.join("\n"),
    errorLogs: error ? headAndTail(error.command ? `$ ${error.command}\n${error.text}` : error.text, limits.max_error_bytes) : "",
    attemptedFixes: summary.fixes,
    files: picked.files,
  };
}

// [offset - windowBytes, end of the phrase's line): the conversation up to and including the phrase;
// `rest` may carry it on to the end of the utterance that said it (a prompt is one utterance).
async function readWindow(
  file: string,
  offset: number,
  windowBytes: number,
  rest?: (buffer: Buffer, from: number) => number,
): Promise<{ window: Buffer; atLineStart: boolean }> {
  const start = Math.max(0, offset - windowBytes);
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(offset - start + windowBytes);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, start + length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    const read = buffer.subarray(0, length);
    const lineEnd = read.indexOf(0x0a, offset - start);
    const end = lineEnd === -1 ? length : rest ? rest(read, lineEnd + 1) : lineEnd + 1;
    return { window: read.subarray(0, end), atLineStart: start === 0 };
  } finally {
    await handle.close();
  }
}

// The message that said the phrase, without the phrase's own lines (the issue carries them).
function messageOf(items: readonly ConversationItem[], hit: Hit): string {
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i]!;
    if (item.kind !== "said" || item.role !== hit.role || !item.text.includes(hit.issue)) continue;
    const text = item.text
      .split("\n")
      .filter((line) => !mentionsPhrase(line))
      .join("\n")
      .trim();
    return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
  }
  return "";
}

/** An Aider prompt goes on while lines start with `####` (formats/aider.ts): where the prompt at `from` ends. */
function restOfAiderPrompt(buffer: Buffer, from: number): number {
  let at = from;
  while (at + 4 <= buffer.length && buffer.toString("latin1", at, at + 4) === "####") {
    const next = buffer.indexOf(0x0a, at);
    if (next === -1) return buffer.length;
    at = next + 1;
  }
  return at;
}

/** Files `git status` shows changed or untracked (none outside a git repository). */
async function changedFiles(workspace: string): Promise<string[]> {
  const status = await runGit(["status", "--porcelain=v1", "-z", "--untracked-files=all"], { cwd: workspace, allowFailure: true, timeoutMs: 10_000 }).catch(
    () => undefined, // no git, or git failed: the context simply has no changed files
  );
  if (!status || status.exitCode !== 0) return [];
  const files: string[] = [];
  const fields = status.stdout.split("\0");
  for (let i = 0; i < fields.length && files.length < MAX_CANDIDATES; i += 1) {
    const field = fields[i]!;
    if (field.length < 4) continue;
    const code = field.slice(0, 2);
    files.push(field.slice(3));
    if (code.includes("R") || code.includes("C")) i += 1; // the rename's source path follows
  }
  return files.filter((file) => !file.endsWith("/") && !RELAY_STATE.test(file));
}

async function pickFiles(options: GatherOptions, candidates: string[]): Promise<{ files: string[]; tooLarge: string[]; overBudget: string[] }> {
  const { limits } = options;
  const wanted = [...new Set(candidates)].filter((c) => !/[*?]/.test(c) && !c.startsWith("~")).slice(0, MAX_CANDIDATES);
  const picked = { files: [] as string[], tooLarge: [] as string[], overBudget: [] as string[] };
  if (wanted.length === 0 || limits.max_context_files === 0) return picked;
  // The guard's own checks; reading 4 bytes (plus its binary sniff) is all this needs of a file.
  const checked = await readRequestedFiles(options.workspace, wanted, {
    maxFiles: wanted.length,
    maxFileBytes: 4,
    maxTotalBytes: Number.MAX_SAFE_INTEGER,
    deny: [...DEFAULT_SECRET_DENY, ...options.deny],
  });
  let total = 0;
  for (const file of checked.files) {
    if (RELAY_STATE.test(file.path)) continue;
    if (file.bytes > limits.max_context_file_bytes) {
      picked.tooLarge.push(`${file.path} (${file.bytes} bytes)`);
    } else if (picked.files.length >= limits.max_context_files || total + file.bytes > limits.max_context_bytes) {
      picked.overBudget.push(file.path);
    } else {
      picked.files.push(file.path);
      total += file.bytes;
    }
  }
  return picked;
}

/** `text` within `maxBytes` of UTF-8: its head and its tail, where errors put their message and their cause. */
export function headAndTail(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return text;
  const marker = "\n[… cut …]\n";
  const half = Math.floor((maxBytes - Buffer.byteLength(marker)) / 2);
  const head = bytes.subarray(0, half).toString("utf8").replace(/\uFFFD+$/, "");
  const tail = bytes.subarray(bytes.length - half).toString("utf8").replace(/^\uFFFD+/, "");
  return `${head}${marker}${tail}`;
}
