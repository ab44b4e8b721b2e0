// One phrase found in a transcript → at most one request in the inbox.
//
// Skipped when its keys are in seen.jsonl (it made a request before: a restart, a rewrite, a
// session copied into a new file), or when `codex-relay hook` already turned the same prompt into a
// request (its record under `.relay/hook-requests/`, Claude Code sessions, whose session id is the
// transcript's file name). Otherwise the context is gathered, the request rendered (redacted) and
// published, and only then are its keys recorded: a crash between the two repeats the request once
// rather than losing it.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { hookRecordFile } from "../cli/hooks/hook-records.js";
import { publishRequest } from "../cli/publish-request.js";
import type { RelayContext } from "../daemon/relay-context.js";
import { RelayError, toRelayError } from "../errors.js";
import type { TranscriptFormat } from "./detect-format.js";
import { gatherContext, type PhraseContext } from "./gather-context.js";
import { renderPhraseRequest } from "./phrase-request.js";
import type { Hit } from "./scan-chunk.js";
import type { SeenKeys } from "./seen-keys.js";

export type PhraseOutcome =
  | { kind: "published"; id: string }
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
  if (format === "claude-code" && existsSync(hookRecordFile(layout, path.basename(transcript, ".jsonl"), hit.issue))) {
    await seen.add(keys, ctx.now());
    return { kind: "skipped", reason: "hook" };
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
    markdown = renderPhraseRequest({ hit, format, transcript, context, redactor: ctx.redactor, now: ctx.now() });
  } catch (error) {
    report(toRelayError(error)); // this utterance can never make a valid request: do not retry it forever
    await seen.add(keys, ctx.now());
    return { kind: "skipped", reason: "invalid" };
  }
  let id: string;
  try {
    id = await publishRequest(layout, markdown, ctx.now());
  } catch (error) {
    return { kind: "retry", error: toRelayError(error) };
  }
  await seen.add(keys, ctx.now());
  return { kind: "published", id };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
