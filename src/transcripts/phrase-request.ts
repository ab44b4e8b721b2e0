// The request a phrase makes (PROTOCOL.md §2, §7): the issue, the gathered context, who asked
// (`requested_by: <format> transcript`) and where (`transcript`, `transcript_offset`). Secrets are
// redacted before anything is written, as for every file the relay writes. Pure.
import { renderRequest } from "../protocol/render-request.js";
import type { Redactor } from "../security/redact.js";
import type { TranscriptFormat } from "./detect-format.js";
import type { PhraseContext } from "./gather-context.js";
import type { Hit } from "./scan-chunk.js";
import { UTTERANCE_KEYS_FIELD, utteranceKeyHash } from "./seen-keys.js";

export function renderPhraseRequest(input: {
  hit: Hit;
  format: TranscriptFormat;
  transcript: string;
  context: PhraseContext;
  redactor: Redactor;
  now: Date;
  /** The utterance's dedupe keys (publish-phrase.ts): kept hashed, so a watcher that lost its state still knows them. */
  utteranceKeys?: readonly string[];
}): string {
  const { hit, context, redactor } = input;
  return renderRequest({
    kind: "analysis",
    issue: redactor.redact(hit.issue),
    context: redactor.redact(context.context),
    errorLogs: redactor.redact(context.errorLogs),
    attemptedFixes: context.attemptedFixes.map((fix) => redactor.redact(fix)),
    files: context.files,
    requestedBy: `${input.format} transcript`,
    extra: {
      transcript: input.transcript,
      transcript_offset: String(hit.offset),
      ...(input.utteranceKeys?.length ? { [UTTERANCE_KEYS_FIELD]: input.utteranceKeys.map(utteranceKeyHash).join(" ") } : {}),
    },
    createdAt: input.now,
  });
}
