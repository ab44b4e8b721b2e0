// A prompt that says `DELEGATE TO CODEX: <issue>` becomes a request, published like `delegate`
// publishes one, under a phrase record (protocol/phrase-records.ts) shared with the daemon's
// transcript watcher: whichever of the two takes the prompt first makes its one request, and the
// other makes none. What the prompt says is redacted before it is written, as for every file the
// relay writes; the record's key is made from the issue as said, which is what the watcher sees in
// the transcript.
import { setTimeout as delay } from "node:timers/promises";
import type { Env } from "../../context/workspace-redactor.js";
import type { Layout } from "../../protocol/layout.js";
import { claimPhrase, readPhraseRecord, releasePhraseRecord, sameAsk, savePhraseRecord, type PhraseRecord } from "../../protocol/phrase-records.js";
import { publishRequest } from "../../protocol/publish-request.js";
import { renderRequest } from "../../protocol/render-request.js";
import type { Redactor } from "../../security/redact.js";
import type { HookAgent } from "./hook-input.js";

export interface PromptDelegation {
  readonly agent: HookAgent;
  /** Who said it: the user (a prompt; the default) or the agent (its last message of a turn, at the Stop hook). */
  readonly speaker?: "user" | "agent";
  readonly sessionId: string;
  readonly transcriptPath?: string;
  /** The whole prompt (or agent message): sent along as context when it says more than the phrase. */
  readonly prompt: string;
  /** The issues `findPhrases` found in the prompt, in order. */
  readonly issues: readonly string[];
}

export interface HookRequest {
  readonly id: string;
  readonly issue: string;
  /**
   * new: this hook made the request; transcript: the daemon's transcript watcher took this very
   * prompt first; pending: this session asked for the same issue before and it has no RESULT yet.
   */
  readonly made: "new" | "transcript" | "pending";
}

// The watcher publishes right after it claims (it gathers the context first): worth a short wait,
// so the agent learns the id, and rare (the watcher gives the hook time to go first).
const CLAIM_ID_WAIT_MS = 1000;
const CLAIM_ID_POLL_MS = 20;

/** `env`: the editor's environment, whose secret values are redacted as the daemon would redact them. */
export async function delegateFromPrompt(layout: Layout, ask: PromptDelegation, now: Date, env: Env): Promise<HookRequest[]> {
  // The daemon's own redactor, config and all: the phrase record and the request are files too.
  // Loaded here, not at the top: a prompt without the phrase never needs it (nor, when the
  // daemon's config cache cannot answer, the config schema and zod: see config/cached-config.ts).
  const { loadWorkspaceRedactor } = await import("../../context/workspace-redactor.js");
  const redactor = await loadWorkspaceRedactor(layout, env);
  const requests: HookRequest[] = [];
  for (const issue of ask.issues) {
    const said = redactor.redact(issue);
    const claim = await claimPhrase(
      layout,
      { sessionId: ask.sessionId, issue },
      { by: "hook", transcript: ask.transcriptPath ?? null, issue: said, said_at: now.toISOString(), utterance: null },
      now,
    );
    if (claim.kind === "taken") {
      const record = claim.record?.id === null ? await idOf(claim.file) : claim.record;
      if (record?.id) requests.push({ id: record.id, issue: said, made: record.by === "transcript" && sameAsk(record, now) ? "transcript" : "pending" });
      continue;
    }
    let id: string;
    try {
      id = await publishRequest(layout, renderRequest(fieldsOf(ask, issue, now, redactor)), now, redactor);
    } catch (error) {
      await releasePhraseRecord(claim.file); // give the prompt back to the watcher
      throw error;
    }
    await savePhraseRecord(layout, claim.file, { ...claim.record, id });
    requests.push({ id, issue: said, made: "new" });
  }
  return requests;
}

/** The record once its claimer has published (or as it is after CLAIM_ID_WAIT_MS). */
async function idOf(file: string): Promise<PhraseRecord | undefined> {
  const deadline = Date.now() + CLAIM_ID_WAIT_MS;
  let record = await readPhraseRecord(file);
  while (record?.id === null && Date.now() < deadline) {
    await delay(CLAIM_ID_POLL_MS);
    record = await readPhraseRecord(file);
  }
  return record;
}

function fieldsOf(ask: PromptDelegation, issue: string, now: Date, redactor: Redactor) {
  const saysMore = ask.prompt.split("\n").some((line) => line.trim() !== "" && !line.includes(issue));
  const extra: Record<string, string> = { session_id: ask.sessionId };
  if (ask.transcriptPath !== undefined) extra.transcript = ask.transcriptPath;
  return {
    kind: "analysis" as const,
    issue: redactor.redact(issue),
    ...(saysMore ? { context: redactor.redact(`${SAID_BY[ask.speaker ?? "user"](AGENT_NAMES[ask.agent])}\n\n${ask.prompt}`) } : {}),
    requestedBy: ask.speaker === "agent" ? `${ask.agent} agent (stop hook)` : `${ask.agent} hook`,
    extra,
    createdAt: now,
  };
}

const SAID_BY: Readonly<Record<"user" | "agent", (editor: string) => string>> = {
  user: (editor) => `The ${editor} prompt that asked for this:`,
  agent: (editor) => `The ${editor} agent asked for this at the end of its turn, saying:`,
};

const AGENT_NAMES: Readonly<Record<HookAgent, string>> = { "claude-code": "Claude Code", cursor: "Cursor" };
