// The daemon's JSON log (`.relay/daemon.log.jsonl`, PROTOCOL.md §9): every event name and its
// fields, defined once. The logger takes its types from here, so an event the code writes and the
// event the protocol documents cannot drift; tests parse real logs with `parseDaemonLogLine`.
import { z } from "zod";
import { RelayError } from "../errors.js";
import { DAEMON_LOG_VERSION } from "./daemon-log-version.js";

export { DAEMON_LOG_VERSION };

const id = z.string();
const message = z.string();
const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();
/** A RelayError as the log says it. */
const failure = { code: z.string(), message };

/** How the daemon came to queue a request (the event names its first sighting). */
export const DETECTION_EVENTS = ["detected", "changed", "approved", "found", "recovered", "re-run", "retry", "cancel requested"] as const;
export type DetectionEvent = (typeof DETECTION_EVENTS)[number];

/** Where an error the daemon survived came from; logged as "<source> error". */
export const ERROR_SOURCES = ["watcher", "progress", "transcripts", "sweep", "audit catch-up", "marker", "handle", "run", "heartbeat", "claim", "schedule", "digest", "retention", "event log"] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];

const detectionEvents = Object.fromEntries(DETECTION_EVENTS.map((e) => [e, z.strictObject({ id })])) as Record<DetectionEvent, z.ZodObject<{ id: typeof id }>>;
const errorFields = z.strictObject({ id: id.optional(), ...failure });
const errorEvents = Object.fromEntries(ERROR_SOURCES.map((s) => [`${s} error`, errorFields])) as Record<`${ErrorSource} error`, typeof errorFields>;

/** Each event's own fields (the line adds `v`, `at`, `level` and `event`). Strict: an undocumented field fails. */
export const DAEMON_LOG_EVENTS = {
  // lifecycle
  "daemon started": z.strictObject({ workspace: z.string(), inbox: z.string(), concurrency: count }),
  "daemon stopping": z.strictObject({ running: count, queued: count }),
  "daemon stopped": z.strictObject({}),
  signal: z.strictObject({ message }),
  "unexpected error": z.strictObject({ message }),
  "temp files removed": z.strictObject({ count }),
  "request path warmed": z.strictObject({ ms }),
  "warm-up failed": z.strictObject(failure),
  "sandbox pool warmed": z.strictObject({ slot: count, cold: z.boolean(), setup: z.string().optional(), ms }),
  "sandbox pool warm-up failed": z.strictObject(failure),
  "watching transcripts": z.strictObject({ paths: z.array(z.string()), from_start: z.literal(true).optional() }),
  // intake
  ...detectionEvents,
  "progress request": z.strictObject({ id, kind: z.string(), message }),
  "patch already queued for this approval": z.strictObject({ id, trigger: z.string() }),
  "transcript request": z.strictObject({ id, transcript: z.string(), offset: count, role: z.string(), format: z.string() }),
  "transcript phrase skipped": z.strictObject({ transcript: z.string(), offset: count, message }),
  "marker without a request": z.strictObject({ id, message }),
  "awaiting approval": z.strictObject({ id, message }),
  // running
  claimed: z.strictObject({ id, attempt: z.number().int().min(2).optional() }),
  "stale claim recovered": z.strictObject({ id, pid: z.number().int().optional(), attempt: z.number().int().optional(), phase: z.string().optional(), killed_codex: z.number().int().optional() }),
  "released for re-run": z.strictObject({ id }),
  "request changed while running; restarting": z.strictObject({ id }),
  cancelling: z.strictObject({ id, message }),
  "codex started": z.strictObject({ id, pid: z.number().int(), version: z.string().nullable(), model: z.string().nullable(), sandbox: z.string() }),
  progress: z.strictObject({ id, message, tokens: count.optional() }),
  "event log not written": z.strictObject({ id, message }),
  "provider unreachable, reconnecting": z.strictObject({ id, attempt: z.number().int().positive(), provider: z.string(), base_url: z.string(), message }),
  "unknown events": z.strictObject({ id, count }),
  "codex finished": z.strictObject({ id, outcome: z.enum(["replied", "timed_out", "cancelled", "failed"]), exit: z.number().int().nullable(), ms }),
  "model call": z.strictObject({ id, call: z.number().int().positive(), status: z.number().int(), input_tokens: count.nullable(), output_tokens: count.nullable(), ttfb_ms: ms.nullable(), total_ms: ms, redacted: count }),
  "gateway call failed": z.strictObject({ id, message }),
  "recording given up": z.strictObject({ id, message }),
  "gateway refused websocket": z.strictObject({ path: z.string() }),
  // patches and diagnoses
  "sandbox ready": z.strictObject({ id, slot: count, cold: z.boolean(), ms }),
  "branch not deleted": z.strictObject({ id, message }),
  "patch finished": z.strictObject({ id, status: z.string(), attempts: count, overhead_ms: z.number() }),
  "patch report written": z.strictObject({ id, file: z.string() }),
  "diagnosis written": z.strictObject({ id, file: z.string() }),
  // results and the audit branch
  "result written": z.strictObject({ id, status: z.enum(["completed", "failed", "rejected", "cancelled", "timed_out"]), error: z.string().optional(), ms }),
  "audit catch-up": z.strictObject({ id }),
  "audit committed": z.strictObject({ id, commit: z.string().regex(/^[0-9a-f]{12}$/) }),
  "audit skipped": z.strictObject({ id, message }),
  "audit failed": z.strictObject({ id, message }),
  // approval policy and plans
  "delegate policy halted": z.strictObject({ id, message }),
  "delegate policy approved": z.strictObject({ id, patch: id.nullable(), files: z.array(z.string()) }), // patch null: auto_patch = false
  "plan written": z.strictObject({ id, file: z.string(), steps: count }),
  "plan step started": z.strictObject({ id, plan: z.string(), step: count, of: count }),
  "plan run report written": z.strictObject({ id, plan: z.string(), file: z.string() }),
  // schedules, digest, retention
  "schedule fired": z.strictObject({ id, schedule: z.string(), kind: z.string() }),
  "digest written": z.strictObject({ file: z.string() }),
  retention: z.strictObject({ archived: count, recordings: count, temps: count, days: count }),
  ...errorEvents,
};

export type DaemonLogEvent = keyof typeof DAEMON_LOG_EVENTS;
/** The fields a caller passes for `event` (undefined values are left off the line). */
export type DaemonLogFields<E extends DaemonLogEvent> = z.input<(typeof DAEMON_LOG_EVENTS)[E]>;

export const DaemonLogLevel = z.enum(["info", "warn", "error"]);
export type DaemonLogLevel = z.infer<typeof DaemonLogLevel>;

const HINT = "Document the event in PROTOCOL.md §9 and src/protocol/daemon-log.ts, or log it as documented.";

const Envelope = z.object({ v: z.literal(DAEMON_LOG_VERSION), at: z.iso.datetime(), level: DaemonLogLevel, event: z.string() });
export type DaemonLogLine = z.infer<typeof Envelope> & Record<string, unknown>;

/** One line of the log checked against the documented schema; throws a zod error naming the event. */
export function parseDaemonLogLine(line: string): DaemonLogLine {
  const { v, at, level, event, ...fields } = Envelope.passthrough().parse(JSON.parse(line));
  const schema = (DAEMON_LOG_EVENTS as Record<string, z.ZodType>)[event];
  if (!schema) throw new RelayError("internal_error", `undocumented daemon log event "${event}"`, { hint: HINT });
  const parsed = schema.safeParse(fields);
  if (!parsed.success) throw new RelayError("internal_error", `daemon log event "${event}": ${z.prettifyError(parsed.error)}`, { hint: HINT, cause: parsed.error });
  return { v, at, level, event, ...(parsed.data as Record<string, unknown>) };
}
