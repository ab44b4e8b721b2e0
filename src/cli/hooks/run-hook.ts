// One hook invocation: the editor's JSON in, stdout (and a note for the hook log) out. Never throws and
// never asks for a non-zero exit: whatever goes wrong, the user's prompt goes through untouched.
// Kept light on purpose — it runs on every prompt and every turn's end: no zod, YAML or remark
// unless the prompt actually says the phrase (see PHRASE_PREFILTER).
import { existsSync } from "node:fs";
import { layoutFor, type Layout } from "../../protocol/layout.js";
import { mayHoldRelay, resolveWorkspace } from "../workspace.js";
import { pruneHookEvents, recordFact, takeHookEvent } from "../../protocol/hook-sessions.js";
import { sha256 } from "../../util/sha256.js";
import { takeArrivals } from "./announce-results.js";
import { stopTakesContext } from "./claude-code-version.js";
import type { HookRequest } from "./delegate-from-prompt.js";
import { parseHookInput, type HookAgent, type HookEvent, type HookInput } from "./hook-input.js";
import { arrivalsMessage, emptyPhraseMessage, notAWorkspaceMessage, requestsMessage } from "./hook-messages.js";
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
  // Answer in the shape of the editor that ran us: Cursor runs Claude Code's hooks too (hook-input.ts).
  const host = input?.host ?? run.agent;
  const workspace = resolveWorkspace(run.workspace === undefined ? {} : { workspace: run.workspace }, input?.cwd ?? run.cwd);
  const nothing = (note?: string): HookOutcome => ({ stdout: hookOutput(host, event, undefined), ...(note === undefined ? {} : { note }), workspace });
  if (!input) return nothing(`stdin is not a ${run.agent} hook input with a session id${event === "prompt" ? " and a prompt" : ""}; nothing to do`);
  if (!existsSync(workspace)) return nothing(`workspace ${workspace} does not exist; nothing to do`);
  const layout = layoutFor(workspace);
  // Who may have said the phrase: the user (the prompt) or, at the end of its turn, the agent.
  const said = event === "prompt" ? input.prompt : host === "claude-code" ? input.lastAssistantMessage : undefined;
  const mentioned = said !== undefined && PHRASE_PREFILTER.test(said);
  const issues = mentioned ? await phraseIssues(said) : [];
  // The phrase with nothing after it: one line back instead of silence, and nothing created.
  if (mentioned && issues.length === 0 && event === "prompt" && (await saysEmpty(said))) {
    return { stdout: await speak(run, host, event, input, emptyPhraseMessage()), workspace };
  }
  // A folder outside git that is no relay workspace gets no relay folder from a phrase either
  // (workspace.ts): the user hears why, once, with the prompt; an agent's phrase is dropped.
  if (issues.length > 0 && !mayHoldRelay(workspace)) {
    if (event !== "prompt") return nothing(`${workspace} is not in a git repository and not a codex-relay workspace; no request made`);
    return { stdout: await speak(run, host, event, input, notAWorkspaceMessage(workspace)), workspace };
  }
  // Nothing to announce where the relay never ran, and no phrase: nothing to do, nothing created.
  if (issues.length === 0 && !existsSync(layout.relay)) return nothing();
  const out: string[] = [];
  try {
    // The same hook installed twice (the plugin and .claude/settings.json) runs twice per event:
    // the second run says nothing (it would repeat the news, and call the new request "pending").
    const identity = host === "claude-code" ? input.eventIdentity : undefined;
    if (identity !== undefined && !(await takeHookEvent(layout, input.sessionId, sha256(identity), run.now))) return nothing();
    if (event === "stop") await pruneHookEvents(layout, input.sessionId, run.now);
    // Arrivals first: the agent learns an answer arrived before it learns of a new ask of the same issue.
    const arrivals = await takeArrivals(layout, input.sessionId, run.now);
    if (arrivals.length > 0) out.push(arrivalsMessage(arrivals));
    if (issues.length > 0) {
      const requests = await requestsFromPhrase(layout, run, input, { said: said!, issues, speaker: event === "prompt" ? "user" : "agent" });
      if (requests) out.push(requests);
    }
    const text = out.length > 0 ? out.join("\n\n") : undefined;
    return { stdout: await speak(run, host, event, input, text), workspace };
  } catch (error) {
    const text = out.length > 0 ? out.join("\n\n") : undefined;
    return { stdout: await speak(run, host, event, input, text), note: `failed: ${error instanceof Error ? error.message : String(error)}`, workspace };
  }
}

async function speak(run: HookRun, host: HookAgent, event: HookEvent, input: HookInput, text: string | undefined): Promise<string> {
  const stopContext = host === "claude-code" && event === "stop" && text !== undefined && (await stopTakesContext(run.env, input.transcriptPath));
  return hookOutput(host, event, text, stopContext);
}

async function saysEmpty(said: string): Promise<boolean> {
  const { saysEmptyPhrase } = await import("../../transcripts/phrase.js");
  return saysEmptyPhrase(said);
}

/** The issues `said` asks Codex about (none when the phrase is fenced, quoted, or not at a line's or sentence's start). */
async function phraseIssues(said: string): Promise<string[]> {
  const { findPhrases } = await import("../../transcripts/phrase.js");
  return findPhrases(said).map((match) => match.issue);
}

/**
 * The requests `said` asks for, as a message for the agent. A request the session's agent was told
 * about already (the prompt that made it, or an earlier stop) is not told again: an agent that
 * repeats the phrase at the end of its turn must not be sent round again for it.
 */
async function requestsFromPhrase(
  layout: Layout,
  { env, now }: HookRun,
  input: HookInput,
  { said, issues, speaker }: { said: string; issues: string[]; speaker: "user" | "agent" },
): Promise<string | undefined> {
  const { delegateFromPrompt } = await import("./delegate-from-prompt.js"); // request rendering, redaction: only for a phrase
  const requests = await delegateFromPrompt(
    layout,
    { agent: input.host, speaker, sessionId: input.sessionId, prompt: said, issues, ...(input.transcriptPath !== undefined ? { transcriptPath: input.transcriptPath } : {}) },
    now,
    env,
  );
  const untold: HookRequest[] = [];
  for (const request of requests) {
    if ((await recordFact(layout, input.sessionId, `told-${request.id}`, now)) || speaker === "user") untold.push(request);
  }
  if (untold.length === 0) return undefined;
  const { daemonRunning } = await import("../../daemon/workspace-lock.js");
  return requestsMessage(layout, untold, await daemonRunning(layout));
}
