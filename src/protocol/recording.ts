// The gateway's recording of one request's model calls (`.relay/recordings/<id>/`, see
// layout.recording): the files in it and the lines of its index. Private state, read back only by
// `codex-relay replay`. Pure: names and shapes, no IO.
import path from "node:path";
import { z } from "zod";

export const RECORDING_SCHEMA_ID = "codex-relay/recording@1";

/** `recording.json`: written when the recording starts. */
export const RecordingHeader = z.object({
  schema: z.literal(RECORDING_SCHEMA_ID),
  id: z.string(),
  kind: z.string(),
  /** The provider's base_url the calls went to. */
  upstream: z.string(),
  started_at: z.string(),
});
export type RecordingHeader = z.infer<typeof RecordingHeader>;

/** One finished call: what Codex sent (redacted) and what it got back, byte for byte. */
export const RecordedCall = z.object({
  call: z.number().int().min(1),
  method: z.string(),
  /** The path below the provider's base_url (`/responses`). */
  path: z.string(),
  status: z.number().int(),
  content_type: z.string().nullable(),
  request_bytes: z.number().int(),
  response_bytes: z.number().int(),
});
export type RecordedCall = z.infer<typeof RecordedCall>;

/** The recording stopped before call `call`: it would have grown past `gateway.recording_max_bytes`. */
export const RecordingStop = z.object({ stopped: z.literal("recording_max_bytes"), call: z.number().int().min(1), max_bytes: z.number().int() });
export type RecordingStop = z.infer<typeof RecordingStop>;

/** A line of `calls.jsonl`, appended as each call ends. */
export const RecordingLine = z.union([RecordedCall, RecordingStop]);

/** The files of recording folder `dir`. */
export function recordingFiles(dir: string) {
  const n = (call: number) => String(call).padStart(3, "0");
  return {
    header: path.join(dir, "recording.json"),
    index: path.join(dir, "calls.jsonl"),
    /** Call `call`'s request body as it left the machine (redacted, decoded). */
    request: (call: number) => path.join(dir, `${n(call)}-request.json`),
    /** Call `call`'s response body (an SSE stream, or a JSON error) as received. */
    response: (call: number) => path.join(dir, `${n(call)}-response`),
  };
}
