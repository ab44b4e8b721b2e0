// Aider's chat history: `.aider.chat.history.md` in the repository root (--chat-history-file).
//
// Verified in Aider-AI/aider aider/io.py (InputOutput): `append_chat_history` is the only writer.
// - each run starts with `\n# aider chat started at YYYY-MM-DD HH:MM:SS\n\n`;
// - `user_input` writes the user's prompt as `\n#### <line>` with every line prefixed `#### ` and joined
//   by `  \n#### ` (Markdown hard breaks); an empty prompt is `#### <blank>`;
// - `ai_output` writes the assistant's reply as `\n<reply stripped>\n\n`: plain Markdown, code edits in
//   fenced blocks;
// - `tool_output`, `tool_error`, `tool_warning`, confirmations and `/git` output are blockquotes:
//   `> <text>  `. A multi-line `tool_output` (`/paste`, `/lint`, `/settings`, `/git log`) gets `> ` on
//   its FIRST line only; the rest follow unquoted, blank lines included, and only its last line ends
//   with the two-space hard break. So a `> ` line right after a prompt or another tool output that
//   does not end with two spaces opens a tool output block that runs to the next line that does:
//   never speech, however it was quoted. `/git` prints git's output (commit messages, diffs: text
//   nobody said here), so everything after a `/git` prompt up to the next prompt is its output too.
// - Architect mode writes the architect's reply as the assistant's, then the same text again as
//   `#### ` lines (the editor model's input): a phrase the assistant just said, repeated in the
//   prompt that follows, is that echo, not the user speaking.
// Files the user adds or aider reads are sent to the model but never written to this file.
// A user prompt and an assistant reply are separate Markdown documents: fence and quote state starts
// afresh at each turn, so an unclosed fence in a reply (an interrupted stream) cannot hide the next prompt.
// A prompt always follows a blank line (user_input writes "\n#### …"), which tells it from a `#### `
// heading inside a reply. Inside a fence of a reply, fence state wins: a prompt there follows two
// blank lines (the reply's own closing "\n\n" and the prompt's "\n"), a heading in a Markdown
// snippet the assistant shows at most one.
import { z } from "zod";
import { MarkdownStateSchema } from "../markdown-state.js";
import { matchPhraseLine, MarkdownTracker } from "../phrase.js";
import type { LineParser, Utterance } from "../scan-chunk.js";

export const AiderStateSchema = z.object({
  role: z.enum(["user", "assistant"]).optional(),
  user: MarkdownStateSchema,
  assistant: MarkdownStateSchema,
  /** Issues already said in the current message (one request per issue per message). */
  said: z.array(z.string()),
  /** The last prompt was `/git …`: what follows is git's output. */
  gitOutput: z.boolean().default(false),
  /** The previous line was blank: a `####` line may start a prompt. */
  afterBlank: z.boolean().default(true),
  /** Blank lines right before this one. */
  blanks: z.number().int().min(0).default(1),
  /** Inside a multi-line tool output (until its line that ends with two spaces). */
  toolBlock: z.boolean().default(false),
  /** What the last non-blank line was: a prompt, tool output, or the assistant's reply. */
  last: z.enum(["user", "tool", "reply"]).optional(),
  /** Issues the assistant said since the last prompt: the same issue in the next prompt is architect mode's echo. */
  replyIssues: z.array(z.string()).default([]),
});
export type AiderState = z.infer<typeof AiderStateSchema>;

const HASH = 0x23;
const GT = 0x3e;
const SPACE = 0x20;
const TAB = 0x09;
const USER_PREFIX_LENGTH = 5; // "#### "

/**
 * A stateful parser for one `.aider.chat.history.md`. Pass a snapshot back to resume after a restart;
 * a snapshot that does not validate (a corrupt state file) starts from a fresh state instead.
 */
export function createAiderParser(saved?: unknown): LineParser<AiderState> {
  const state = AiderStateSchema.safeParse(saved).data;
  let role = state?.role;
  const user = new MarkdownTracker(state?.user);
  const assistant = new MarkdownTracker(state?.assistant);
  let said = new Set(state?.said ?? []);
  let gitOutput = state?.gitOutput ?? false;
  let blanks = state?.blanks ?? (state?.afterBlank === false ? 0 : 1);
  let toolBlock = state?.toolBlock ?? false;
  let last = state?.last;
  let replyIssues = new Set(state?.replyIssues ?? []);

  const enter = (lineRole: "user" | "assistant", textStart: number, buffer: Buffer, end: number) => {
    if (lineRole === role) return;
    (lineRole === "user" ? user : assistant).reset();
    said = new Set();
    if (lineRole === "user") gitOutput = isGitCommand(buffer, textStart, end);
    else if (role === "user") replyIssues = new Set(); // a new reply after a prompt
    role = lineRole;
  };

  return {
    kind: "lines",
    feed(buffer, start, end, candidate): Utterance[] {
      const blank = isBlank(buffer, start, end);
      const blanksBefore = blanks;
      blanks = blank ? blanks + 1 : 0;
      if (toolBlock) {
        if (endsWithHardBreak(buffer, start, end)) toolBlock = false;
        return [];
      }
      if (blank) {
        (role === "user" ? user : assistant).isProse(buffer, start, end); // a blank line ends a quote
        return [];
      }
      const inReplyFence = role === "assistant" && assistant.snapshot().fence !== undefined;
      const isUser = isUserLine(buffer, start, end) && (role === "user" || blanksBefore >= (inReplyFence ? 2 : 1));
      const textStart = isUser ? Math.min(start + USER_PREFIX_LENGTH, end) : start;
      if (!isUser && buffer[start] === GT && blanksBefore === 0 && (last === "user" || last === "tool")) {
        enter("assistant", start, buffer, end);
        last = "tool";
        toolBlock = !endsWithHardBreak(buffer, start, end);
        return [];
      }
      if (isUser && role === "user" && blanksBefore > 0) role = undefined; // a prompt after a blank line is a new prompt
      enter(isUser ? "user" : "assistant", textStart, buffer, end);
      last = isUser ? "user" : buffer[start] === GT ? "tool" : "reply";
      const prose = (isUser ? user : assistant).isProse(buffer, textStart, end) && (isUser || !gitOutput);
      if (!candidate || !prose) return [];
      const text = buffer.toString("utf8", textStart, end);
      const issue = matchPhraseLine(text);
      if (issue === undefined || said.has(issue)) return [];
      said.add(issue);
      if (!isUser) replyIssues.add(issue);
      else if (replyIssues.has(issue)) return []; // architect mode: the editor's input repeats the reply
      return [{ role: isUser ? "user" : "assistant", text }];
    },
    snapshot: () => ({
      ...(role ? { role } : {}),
      user: user.snapshot(),
      assistant: assistant.snapshot(),
      said: [...said],
      gitOutput,
      afterBlank: blanks > 0,
      blanks,
      toolBlock,
      ...(last ? { last } : {}),
      replyIssues: [...replyIssues],
    }),
  };
}

// `####` then a space or the end of the line (an empty prompt line is `####` plus trailing spaces).
function isUserLine(buffer: Buffer, start: number, end: number): boolean {
  if (end - start < 4) return false;
  for (let i = start; i < start + 4; i++) if (buffer[i] !== HASH) return false;
  return end - start === 4 || buffer[start + 4] === SPACE;
}

// Aider ends every tool output with Markdown's two-space hard break.
function endsWithHardBreak(buffer: Buffer, start: number, end: number): boolean {
  return end - start >= 2 && buffer[end - 1] === SPACE && buffer[end - 2] === SPACE;
}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buffer[i] !== SPACE && buffer[i] !== TAB) return false;
  return true;
}

const GIT_COMMAND = "/git";

// `/git` alone or followed by its arguments.
function isGitCommand(buffer: Buffer, start: number, end: number): boolean {
  const after = start + GIT_COMMAND.length;
  if (after > end || buffer.toString("latin1", start, after) !== GIT_COMMAND) return false;
  return after === end || buffer[after] === SPACE;
}
