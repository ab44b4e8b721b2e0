// One hook invocation: the editor's JSON in, stdout (and a note for the hook log) out. Never throws and
// never asks for a non-zero exit: whatever goes wrong, the user's prompt goes through untouched.
// Kept light on purpose — it runs on every prompt and every turn's end: no zod, YAML or remark
// unless the prompt actually says the phrase (see PHRASE_PREFILTER).
import { existsSync } from "node:fs";
import { layoutFor, type Layout } from "../../protocol/layout.js";
import { resolveWorkspace } from "../workspace.js";
import { takeArrivals } from "./announce-results.js";
import { parseHookInput, type HookAgent, type HookEvent, type HookInput } from "./hook-input.js";
import { arrivalsMessage, emptyPhraseMessage, requestsMessage } from "./hook-messages.js";
import { hookOutput } from "./hook-output.js";

export interface HookRun {
  readonly agent: HookAgent;
  /** From `--event`; otherwise the input's `hook_event_name` decides. */
  readonly event?: HookEvent;
  /** From `--workspace`; otherwise the git repository around the input's cwd. */
  readonly workspace?: string;
  readonly stdin: string;
  /** The hook process's own cwd, used when the input names none. */
  readonly cwd: string;
  /** The editor's environment: its secret values are redacted from any request the hook writes. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: Date;
}

export interface HookOutcome {
  readonly stdout: string;
  /** What was skipped or failed, for the hook log (hook-log.ts); never printed. */
  readonly note?: string;
  /** The workspace the hook acted on, or would have: where its note is logged. */
  readonly workspace: string;
}

// transcripts/phrase.ts's `mentionsPhrase`, checked before any more code loads: almost no prompt
// says the phrase, and those prompts should cost nothing.
const PHRASE_PREFILTER = /delegate to codex:/i;

export async function runHook(run: HookRun): Promise<HookOutcome> {
  const input = parseHookInput(run.agent, run.stdin, run.event);
  const event = input?.event ?? run.event ?? "prompt";
  const host = input?.host ?? run.agent; // answer in the shape of the editor that ran us
  const workspace = resolveWorkspace(run.workspace === undefined ? {} : { workspace: run.workspace }, input?.cwd ?? run.cwd);
  const nothing = (note: string): HookOutcome => ({ stdout: hookOutput(host, event, undefined), note, workspace });
  if (!input) return nothing(`stdin is not a ${run.agent} hook input with a session id${event === "prompt" ? " and a prompt" : ""}; nothing to do`);
  if (!existsSync(workspace)) return nothing(`workspace ${workspace} does not exist; nothing to do`);
  const layout = layoutFor(workspace);
  const said: string[] = [];
  try {
    // Arrivals first: the agent learns an answer arrived before it learns of a new ask of the same issue.
    const arrivals = await takeArrivals(layout, input.sessionId, run.now);
    if (arrivals.length > 0) said.push(arrivalsMessage(arrivals));
    if (event === "prompt") {
      const requests = await requestsFromPrompt(layout, run, input);
      if (requests) said.push(requests);
    }
    return { stdout: hookOutput(host, event, said.length > 0 ? said.join("\n\n") : undefined), workspace };
  } catch (error) {
    const text = said.length > 0 ? said.join("\n\n") : undefined;
    return { stdout: hookOutput(host, event, text), note: `failed: ${error instanceof Error ? error.message : String(error)}`, workspace };
  }
}

async function requestsFromPrompt(layout: Layout, { env, now }: HookRun, input: HookInput): Promise<string | undefined> {
  const agent = input.host;
  const prompt = input.prompt ?? "";
  if (!PHRASE_PREFILTER.test(prompt)) return undefined;
  const { findPhrases, saysEmptyPhrase } = await import("../../transcripts/phrase.js");
  const issues = findPhrases(prompt).map((match) => match.issue);
  if (issues.length === 0) return saysEmptyPhrase(prompt) ? emptyPhraseMessage() : undefined;
  const { delegateFromPrompt } = await import("./delegate-from-prompt.js"); // request rendering, redaction: only for a phrase
  const requests = await delegateFromPrompt(
    layout,
    { agent, sessionId: input.sessionId, prompt, issues, ...(input.transcriptPath !== undefined ? { transcriptPath: input.transcriptPath } : {}) },
    now,
    env,
  );
  if (requests.length === 0) return undefined;
  const { daemonRunning } = await import("../../daemon/workspace-lock.js");
  return requestsMessage(layout, requests, await daemonRunning(layout));
}
