// One phrase found in a transcript → at most one request in the inbox.
//
// Skipped when its keys are in seen.jsonl (it made a request before: a restart, a rewrite, a
// session copied into a new file). A prompt the user typed in a Claude Code session (whose session
// id is the transcript's file name), or a line its agent said, is also one `codex-relay hook claude-code`
// sees (at UserPromptSubmit, or at Stop as `last_assistant_message`): it goes through
// the phrase records both share (protocol/phrase-records.ts), and is skipped when the hook has it
// (giving a hook that is installed a moment to get there first: hook-grace.ts) or claimed before it
// is published otherwise. Then the context is gathered, the request rendered (redacted) and
// published, and only then are its keys recorded: a crash between the two repeats the request once
// rather than losing it (a claim left by that crash is recognised as this line's and reused).
import path from "node:path";
import type { RelayContext } from "../context/relay-context.js";
import { RelayError, toRelayError } from "../errors.js";
import { claimPhrase, findTaken, releasePhraseRecord, savePhraseRecord, type PhraseAsk, type PhraseRecord } from "../protocol/phrase-records.js";
import { publishRequest } from "../protocol/publish-request.js";
import type { TranscriptFormat } from "./detect-format.js";
import { gatherContext, type PhraseContext } from "./gather-context.js";
import { awaitHookClaim } from "./hook-grace.js";
import { sha256 } from "../util/sha256.js";
import { renderPhraseRequest } from "./phrase-request.js";
import type { Hit } from "./scan-chunk.js";
import type { SeenKeys } from "./seen-keys.js";

export type PhraseOutcome =
  | { kind: "published"; id: string }
  /** hook: a phrase record has it (the hook took this prompt, or the same issue is still pending in this session). */
  | { kind: "skipped"; reason: "seen" | "hook" | "invalid" }
  /** Publishing failed (disk full, permissions): read this phrase again later. */
  | { kind: "retry"; error: RelayError };

export interface FoundPhrase {
  transcript: string;
  format: TranscriptFormat;
  hit: Hit;
}

/** The dedupe keys of one utterance: transcript + Hit.key, and for records with ids format + id + issue. */
export function phraseKeys({ transcript, format, hit }: FoundPhrase): string[] {
  const keys = [`${transcript}\0${hit.key}`];
  if (hit.messageId) keys.push(`${format}\0${hit.messageId}\0${sha256(hit.issue).slice(0, 16)}`);
  return keys;
}

/** `report` receives errors that did not stop the request (its context could not be gathered). */
export async function publishPhrase(ctx: RelayContext, seen: SeenKeys, found: FoundPhrase, report: (error: RelayError) => void): Promise<PhraseOutcome> {
  const { layout, config } = ctx;
  const { transcript, format, hit } = found;
  const keys = phraseKeys(found);
  if (keys.some((key) => seen.has(key))) return { kind: "skipped", reason: "seen" };
  let claim: Claimed | undefined;
  // Either speaker: the agent's own phrase goes through the records too, so its session's Stop hook
  // tells the agent the id (and announces the RESULT) whichever of the two took it.
  if (format === "claude-code") {
    let taken: Taken;
    try {
      taken = await claimPrompt(ctx, found, sha256(keys[0]!).slice(0, 32));
    } catch (error) {
      return { kind: "retry", error: toRelayError(error) };
    }
    if (taken.kind !== "claimed") {
      await seen.add(keys, ctx.now());
      return { kind: "skipped", reason: taken.kind };
    }
    claim = taken;
  }
  let context: PhraseContext;
  try {
    context = await gatherContext({ workspace: layout.workspace, transcript, format, hit, limits: config.transcripts, deny: config.security.deny });
  } catch (error) {
    report(toRelayError(error)); // the request still goes out, with what the phrase itself says
    context = { context: `Said in ${transcript} (byte ${hit.offset}); its context could not be read.`, errorLogs: "", attemptedFixes: [], files: [] };
  }
  let markdown: string;
  try {
    markdown = renderPhraseRequest({ hit, format, transcript, context, redactor: ctx.redactor, now: ctx.now(), utteranceKeys: keys });
  } catch (error) {
    report(toRelayError(error)); // this utterance can never make a valid request: do not retry it forever
    if (claim) await releasePhraseRecord(claim.file);
    await seen.add(keys, ctx.now());
    return { kind: "skipped", reason: "invalid" };
  }
  let id: string;
  try {
    id = await publishRequest(layout, markdown, ctx.now(), ctx.redactor);
  } catch (error) {
    if (claim) await releasePhraseRecord(claim.file).catch(() => undefined); // the publish error is the one to report
    return { kind: "retry", error: toRelayError(error) };
  }
  // The request is out: a failure to record its id must not make a second one. The claim (id null)
  // still keeps the hook from asking again until it goes stale.
  if (claim) await savePhraseRecord(layout, claim.file, { ...claim.record, id }).catch((error) => report(toRelayError(error)));
  await seen.add(keys, ctx.now());
  return { kind: "published", id };
}

interface Claimed {
  kind: "claimed";
  file: string;
  record: PhraseRecord;
}
type Taken = Claimed | { kind: "hook" | "seen" };

/** Take a Claude Code prompt for this watcher, unless the hook (or an earlier ask still pending) has it. */
async function claimPrompt(ctx: RelayContext, { transcript, hit }: FoundPhrase, utterance: string): Promise<Taken> {
  const saidAt = hit.timestamp === undefined ? Number.NaN : Date.parse(hit.timestamp);
  const ask: PhraseAsk = { sessionId: path.basename(transcript, ".jsonl"), issue: hit.issue, ...(Number.isNaN(saidAt) ? {} : { saidAt: new Date(saidAt) }) };
  let taken = (await findTaken(ctx.layout, ask, ctx.now())) ?? (await awaitHookClaim(ctx, ask));
  if (!taken) {
    const fields = { by: "transcript" as const, transcript, issue: ctx.redactor.redact(hit.issue), said_at: ask.saidAt?.toISOString() ?? null, utterance };
    const claim = await claimPhrase(ctx.layout, ask, fields, ctx.now());
    if (claim.kind === "claimed") return claim;
    taken = claim;
  }
  // This very line, claimed before a restart: finish publishing it, or it was published already.
  if (taken.record?.utterance === utterance) return taken.record.id === null ? { kind: "claimed", file: taken.file, record: taken.record } : { kind: "seen" };
  return { kind: "hook" };
}
