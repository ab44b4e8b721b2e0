// A prompt that says `DELEGATE TO CODEX: <issue>` becomes a request, published like `delegate`
// publishes one, with a hook record (hook-records.ts) that lets the daemon's transcript watcher
// skip the same utterance. What the prompt says is redacted before it is written, as for every
// file the relay writes; the record's key is made from the issue as said, which is what the
// watcher sees in the transcript.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Layout } from "../../protocol/layout.js";
import { renderRequest } from "../../protocol/render-request.js";
import { createRedactor } from "../../security/redact.js";
import { publishRequest } from "../publish-request.js";
import { claimHookRecord, hookRecordFile, readHookRecord, saveHookRecord, type HookRequestRecord } from "./hook-records.js";
import type { HookAgent } from "./hook-input.js";

export interface PromptDelegation {
  readonly agent: HookAgent;
  readonly sessionId: string;
  readonly transcriptPath?: string;
  /** The whole prompt: sent along as context when it says more than the phrase. */
  readonly prompt: string;
  /** The issues `findPhrases` found in the prompt, in order. */
  readonly issues: readonly string[];
}

export interface HookRequest {
  readonly id: string;
  readonly issue: string;
  /** false: this session asked for the same issue before and that request has no RESULT yet. */
  readonly fresh: boolean;
}

// A record still without an id after this long belongs to a hook that died mid-publish.
const STALE_CLAIM_MS = 60_000;

// Secret shapes only (keys, tokens, private-key blocks, `password=`): the hook does not load the
// config that names provider keys; the daemon redacts with those before anything reaches Codex.
const redactor = createRedactor({ env: {}, envNames: [] });

export async function delegateFromPrompt(layout: Layout, ask: PromptDelegation, now: Date): Promise<HookRequest[]> {
  const requests: HookRequest[] = [];
  for (const issue of ask.issues) {
    const file = hookRecordFile(layout, ask.sessionId, issue);
    const said = redactor.redact(issue);
    const base = { session_id: ask.sessionId, transcript: ask.transcriptPath ?? null, issue: said, created_at: now.toISOString() };
    const claimed = await claimHookRecord(file, { id: null, ...base });
    if (!claimed) {
      const earlier = await readHookRecord(file);
      if (earlier && pending(layout, earlier, now)) {
        if (earlier.id !== null) requests.push({ id: earlier.id, issue: said, fresh: false });
        continue;
      }
      // Answered before (or a stale claim): the user asks again, so this is a new request.
    }
    let id: string;
    try {
      id = await publishRequest(layout, renderRequest(fieldsOf(ask, issue, now)), now);
    } catch (error) {
      if (claimed) await rm(file, { force: true }); // release the utterance for the watcher
      throw error;
    }
    await saveHookRecord(layout, file, { id, ...base });
    requests.push({ id, issue: said, fresh: true });
  }
  return requests;
}

function pending(layout: Layout, record: HookRequestRecord, now: Date): boolean {
  if (record.id === null) return now.getTime() - Date.parse(record.created_at) < STALE_CLAIM_MS;
  return !existsSync(layout.result(record.id, "json"));
}

function fieldsOf(ask: PromptDelegation, issue: string, now: Date) {
  const saysMore = ask.prompt.split("\n").some((line) => line.trim() !== "" && !line.includes(issue));
  const extra: Record<string, string> = { session_id: ask.sessionId };
  if (ask.transcriptPath !== undefined) extra.transcript = ask.transcriptPath;
  return {
    kind: "analysis" as const,
    issue: redactor.redact(issue),
    ...(saysMore ? { context: redactor.redact(`The ${AGENT_NAMES[ask.agent]} prompt that asked for this:\n\n${ask.prompt}`) } : {}),
    requestedBy: `${ask.agent} hook`,
    extra,
    createdAt: now,
  };
}

const AGENT_NAMES: Readonly<Record<HookAgent, string>> = { "claude-code": "Claude Code", cursor: "Cursor" };
