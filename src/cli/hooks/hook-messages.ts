// What a hook tells the agent, as plain text (each editor wraps it its own way: hook-output.ts).
// Written for the agent that reads it: what happened, where the answer appears, what to run.
import type { Layout } from "../../protocol/layout.js";
import type { Arrival } from "./announce-results.js";
import type { HookRequest } from "./delegate-from-prompt.js";

export function requestsMessage(layout: Layout, requests: readonly HookRequest[], daemonRunning: boolean): string {
  const lines = requests.map((r) => {
    return [
      `codex-relay: "DELEGATE TO CODEX: ${r.issue}" ${MADE[r.made](r.id)}.`,
      `  Codex analyses it read-only; its RESULT will appear in ${layout.result(r.id, "md")} (and ${layout.result(r.id, "json")}, written last: it exists exactly when the request is done).`,
      `  \`npx codex-relay wait ${r.id}\` blocks until then and prints it (exit 0 when completed). codex-relay also tells you when it arrives (at the end of a turn, or with the next prompt).`,
    ].join("\n");
  });
  if (!daemonRunning) {
    const first = requests[0]!;
    lines.push(
      `No codex-relay daemon is running in ${layout.workspace}: \`npx codex-relay start\` (in a terminal) serves requests, or \`npx codex-relay run ${layout.request(first.id)}\` processes one now.`,
    );
  }
  return lines.join("\n");
}

/** The phrase said with nothing after it: one line back instead of silence. */
export function emptyPhraseMessage(): string {
  return 'codex-relay: "DELEGATE TO CODEX:" needs the issue on the same line, e.g. "DELEGATE TO CODEX: the login test fails on CI"; no request was made.';
}

/** The phrase said in a folder that cannot hold a relay (workspace.ts's mayHoldRelay): one line back, nothing written. */
export function notAWorkspaceMessage(folder: string): string {
  return `codex-relay: ${folder} is not in a git repository and not a codex-relay workspace, so "DELEGATE TO CODEX:" made no request and nothing was written; run \`git init\` or \`npx codex-relay init\` there first, or work in your repository.`;
}

export function arrivalsMessage(arrivals: readonly Arrival[]): string {
  const lines = arrivals.map((a) =>
    [
      `codex-relay: Codex answered delegation request ${a.id} ("${a.issue}"), status ${a.status}: ${a.summary}`,
      `  Read the full RESULT before you go on: ${a.resultMd} (JSON: ${a.resultJson}), or run \`npx codex-relay show ${a.id}\`.`,
    ].join("\n"),
  );
  return lines.join("\n");
}

const MADE: Readonly<Record<HookRequest["made"], (id: string) => string>> = {
  new: (id) => `is now Codex delegation request ${id}`,
  transcript: (id) => `is now Codex delegation request ${id} (the codex-relay daemon took it from this session's transcript)`,
  pending: (id) => `was already asked in this session and is still pending as request ${id}`,
};
