// Aider's chat history: `.aider.chat.history.md` in the repository root (--chat-history-file).
//
// Verified in Aider-AI/aider aider/io.py (InputOutput): `append_chat_history` is the only writer.
// - each run starts with `\n# aider chat started at YYYY-MM-DD HH:MM:SS\n\n`;
// - `user_input` writes the user's prompt as `\n#### <line>` with every line prefixed `#### ` and joined
//   by `  \n#### ` (Markdown hard breaks); an empty prompt is `#### <blank>`;
// - `ai_output` writes the assistant's reply as `\n<reply stripped>\n\n`: plain Markdown, code edits in
//   fenced blocks;
// - `tool_output`, `tool_error`, `tool_warning`, confirmations and `/git` output are blockquotes:
//   `> <text>  `. A multi-line `tool_output` (e.g. `/git log`) gets `> ` on its FIRST line only; the
//   rest follow as Markdown lazy continuation lines, which MarkdownTracker treats as quoted too, but
//   only up to a blank line. `/git` prints git's output that way (commit messages, diffs: text nobody
//   said here), so everything after a `/git` prompt up to the next prompt is treated as its output.
// Files the user adds or aider reads are sent to the model but never written to this file.
// A user prompt and an assistant reply are separate Markdown documents: fence and quote state starts
// afresh at each turn, so an unclosed fence in a reply (an interrupted stream) cannot hide the next prompt.
// A prompt always follows a blank line (user_input writes "\n#### …"), which tells it from a `#### `
// heading inside a reply, e.g. in a Markdown snippet the assistant shows in a fence.
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
});
export type AiderState = z.infer<typeof AiderStateSchema>;

const HASH = 0x23;
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
  let afterBlank = state?.afterBlank ?? true;

  return {
    kind: "lines",
    feed(buffer, start, end, candidate): Utterance[] {
      const isUser = isUserLine(buffer, start, end) && (role === "user" || afterBlank);
      afterBlank = isBlank(buffer, start, end);
      const lineRole = isUser ? "user" : "assistant";
      const textStart = isUser ? Math.min(start + USER_PREFIX_LENGTH, end) : start;
      if (lineRole !== role) {
        (isUser ? user : assistant).reset();
        said = new Set();
        if (isUser) gitOutput = isGitCommand(buffer, textStart, end);
        role = lineRole;
      }
      const prose = (isUser ? user : assistant).isProse(buffer, textStart, end) && (isUser || !gitOutput);
      if (!candidate || !prose) return [];
      const text = buffer.toString("utf8", textStart, end);
      const issue = matchPhraseLine(text);
      if (issue === undefined || said.has(issue)) return [];
      said.add(issue);
      return [{ role: lineRole, text }];
    },
    snapshot: () => ({
      ...(role ? { role } : {}),
      user: user.snapshot(),
      assistant: assistant.snapshot(),
      said: [...said],
      gitOutput,
      afterBlank,
    }),
  };
}

// `####` then a space or the end of the line (an empty prompt line is `####` plus trailing spaces).
function isUserLine(buffer: Buffer, start: number, end: number): boolean {
  if (end - start < 4) return false;
  for (let i = start; i < start + 4; i++) if (buffer[i] !== HASH) return false;
  return end - start === 4 || buffer[start + 4] === SPACE;
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
