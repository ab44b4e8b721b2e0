// Print a RESULT for a person (its Markdown) or a program (its JSON); the exit code says whether
// Codex's analysis completed. A RESULT printed in a Claude Code session (its Bash tool passes
// CLAUDE_CODE_SESSION_ID, the hooks' session_id) is delivered to that session: its hooks do not
// announce it again (protocol/hook-sessions.ts). Printed anywhere else (a terminal, Cursor, CI),
// nobody can say which session read it, and the hooks still announce it.
import { readFile } from "node:fs/promises";
import { markDelivered } from "../protocol/hook-sessions.js";
import type { Layout } from "../protocol/layout.js";
import type { CliIo } from "./command.js";
import { isUnreadable, type EndedResult } from "./ended-result.js";
import type { FinishedResult } from "./finished-result.js";

export async function printResult(io: CliIo, layout: Layout, result: FinishedResult, json: boolean): Promise<number> {
  if (json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const md = await readFile(layout.result(result.id, "md"), "utf8")
      .catch(() => readFile(layout.archivedResult(result.id, "md"), "utf8")) // retention may have archived it
      .catch(() => `${result.status}: ${result.summary}\n`);
    io.stdout.write(md);
  }
  const session = io.env.CLAUDE_CODE_SESSION_ID?.trim();
  // Only saves the agent a repeated announcement: a record that cannot be written changes no output.
  if (session) await markDelivered(layout, result.id, session, new Date()).catch(() => undefined);
  return result.status === "completed" ? 0 : 1;
}

/** Exit code of `wait`/`delegate --wait` when the timeout passes first (as timeout(1) does). */
export const EXIT_TIMEOUT = 124;

/** Exit code when the RESULT exists but does not read (`failed: unreadable_result`): as for a failed one. */
export const EXIT_UNREADABLE = 1;

/** Print how a request ended: its RESULT, or a RESULT that does not read in `show`'s words (final, PROTOCOL.md §10). */
export async function printEnded(io: CliIo, layout: Layout, result: EndedResult, json: boolean): Promise<number> {
  if (!isUnreadable(result)) return printResult(io, layout, result, json);
  const { printRequestState } = await import("./request-state.js");
  await printRequestState(io, layout, result.id, json);
  return EXIT_UNREADABLE;
}
