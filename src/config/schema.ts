// The shape of codex-relay.toml: every key, its default, and what it accepts. Loose input in,
// one frozen resolved object out (see load-config.ts).
import { z } from "zod";
import { cronProblem } from "./cron-time.js";

const seconds = z.number().positive();

/** `[approval] level`, from a person approving every request to the relay approving within a policy. */
export const APPROVAL_LEVELS = ["manual", "confirm-phase", "delegate"] as const;
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number];
const names = z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name"));

// A TOML value Codex accepts after `-c key=`: scalars, arrays and inline tables.
const tomlValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.array(tomlValue), z.record(z.string(), tomlValue)]),
);

/** A time zone: "" is the machine's local time, else an IANA name such as "Europe/Berlin". */
const timeZone = z.string().default("");

/** One `[[schedule]]` entry: a request the daemon drops into the inbox whenever `cron` fires. */
const ScheduleEntry = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "a name of letters, digits, . _ - (at most 64)"),
  /** Five or six fields (seconds first when six), on the wall clock of `time_zone`. */
  cron: z.string().min(1),
  time_zone: timeZone,
  /** PROTOCOL.md §2's kinds (protocol/request-text.ts; config sits below protocol, so listed here). */
  kind: z.enum(["analysis", "diagnose", "patch", "micro"]).default("analysis"),
  issue: z.string().trim().min(1, "the issue: what Codex should look at"),
  files: z.array(z.string().min(1)).default([]),
  context: z.string().default(""),
});

// An invalid expression or zone is a config error that names the entry (checked here, once).
const Schedules = z
  .array(ScheduleEntry)
  .default([])
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, i) => {
      if (seen.has(entry.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `schedule "${entry.name}" is defined twice: names must be unique` });
      seen.add(entry.name);
      const problem = cronProblem(entry.cron, entry.time_zone);
      if (problem) {
        const what = entry.time_zone ? `cron "${entry.cron}" in time zone "${entry.time_zone}"` : `cron "${entry.cron}"`;
        ctx.addIssue({ code: "custom", path: [i, "cron"], message: `schedule "${entry.name}": ${what} is not usable (${problem})` });
      }
    });
  });

export const ConfigSchema = z.strictObject({
  codex: z
    .strictObject({
      /** Path to the codex binary; empty: CODEX_BIN, then PATH, then node_modules. */
      bin: z.string().default(""),
      model: z.string().regex(/^(?:[A-Za-z0-9._:/][A-Za-z0-9._:/-]*)?$/, "a model name").default(""),
      profile: z.string().regex(/^[A-Za-z0-9._-]*$/, "a profile name").default(""),
      /** Allow a request's `model:` front matter to override `model`. */
      allow_request_model: z.boolean().default(true),
      /** Passed to codex as `-c key=value` (dotted keys). The defaults turn off side processes. */
      config: z.record(z.string(), tomlValue).default({
        features: { shell_snapshot: false, plugins: false },
      }),
      /** Extra environment variable names passed to codex (besides the built-in allow-list). */
      env: names.default([]),
      /** How long Codex may keep reconnecting to the provider, with no model output, before the run fails. */
      unreachable_s: seconds.default(60),
      /** Keep each run's Codex session (`codex exec resume <thread_id>` by hand); off: `--ephemeral`. */
      keep_sessions: z.boolean().default(false),
    })
    .prefault({}),
  daemon: z
    .strictObject({
      concurrency: z.number().int().min(1).max(64).default(1),
      /** How long a request that fails to parse must stay unchanged before it is rejected. */
      settle_ms: z.number().int().min(0).max(60_000).default(1500),
      /** Six-field cron expression of the sweep (stale claims, missed requests). */
      sweep_cron: z.string().default("*/15 * * * * *"),
      heartbeat_s: seconds.default(5),
      /** A claim whose heartbeat is older than this belongs to a dead daemon. */
      claim_stale_s: seconds.default(60),
      shutdown_grace_s: seconds.default(30),
      /** Runs of one request the daemon may lose (crash, kill) before it writes a failed RESULT. */
      max_attempts: z.number().int().min(1).max(20).default(3),
    })
    .prefault({}),
  watchdog: z
    .strictObject({
      start_timeout_s: seconds.default(60),
      stall_timeout_s: seconds.default(300),
      wall_timeout_s: seconds.default(1800),
      kill_grace_s: seconds.default(5),
    })
    .prefault({}),
  limits: z
    .strictObject({
      max_request_bytes: z.number().int().positive().default(1_048_576),
      max_file_bytes: z.number().int().positive().default(200_000),
      max_total_file_bytes: z.number().int().positive().default(1_000_000),
      max_files: z.number().int().positive().default(40),
      max_log_bytes: z.number().int().positive().default(64_000),
    })
    .prefault({}),
  security: z
    .strictObject({
      /** Extra deny-list globs: files never embedded in a prompt. */
      deny: z.array(z.string()).default([]),
      /** Environment variables whose values are redacted, besides names that look secret. */
      redact_env: names.default([]),
    })
    .prefault({}),
  approval: z
    .strictObject({
      /**
       * How much a person approves: `manual` holds every request until CODEX_DELEGATION_APPROVE_<id>
       * exists; `confirm-phase` runs analyses and diagnoses, and a patch needs a route decision with
       * `approved_by`; `delegate` also lets the relay write that route decision for a diagnosis whose
       * files all match `auto_files` (and none `halt_on`). Unset: `confirm-phase`, or `manual` with `required`.
       */
      level: z.enum(APPROVAL_LEVELS).optional(),
      /** The older switch: `required = true` is `level = "manual"`. */
      required: z.boolean().optional(),
      /** Globs (workspace-relative) of files the delegate policy may approve a patch of. */
      auto_files: z.array(z.string().min(1)).default([]),
      /** Globs of files that always need a person, whatever the level. */
      halt_on: z.array(z.string().min(1)).default([]),
    })
    .prefault({})
    .refine((approval) => !(approval.required === true && approval.level !== undefined && approval.level !== "manual"), {
      message: 'approval.required = true means level = "manual"; remove `required` or the other level',
      path: ["required"],
    })
    .transform(({ level, required, ...rest }) => ({ level: level ?? (required ? "manual" : "confirm-phase"), ...rest }) as const),
  audit: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
  gateway: z
    .strictObject({
      /** Send each run's model calls through the local gateway (meter, caps, outbound redaction); false: direct. */
      enabled: z.boolean().default(true),
      /** Redact every request body before it leaves the machine. */
      redact: z.boolean().default(true),
      /** How long the gateway waits on a 429's Retry-After before the run fails `codex_rate_limited`. */
      max_retry_after_s: z.number().min(0).max(600).default(30),
      /** Keep each run's model calls (redacted request bodies, response streams) for `codex-relay replay`. */
      record: z.boolean().default(true),
      /** Bytes one recording may hold; past it the recording stops (the run goes on). */
      recording_max_bytes: z.number().int().min(0).default(16_777_216),
      /** Bytes all recordings may hold together; the oldest are removed first when a new one starts. */
      recordings_max_bytes: z.number().int().min(0).default(268_435_456),
    })
    .prefault({}),
  budget: z
    .strictObject({
      /** Tokens (input + output) one request may spend; the next model call past it is refused. */
      request_tokens: z.number().int().positive().optional(),
      /** The same for patch and micro requests (both caps apply). */
      patch_tokens: z.number().int().positive().optional(),
      /** Tokens all requests of this workspace may spend per UTC day. */
      daily_tokens: z.number().int().positive().optional(),
      /**
       * USD per million tokens, per model name (`"*"`: any other model), for cost estimates in
       * RESULTs, `status`, `audit` and dry runs. Estimates only: caps stay in tokens.
       */
      prices: z
        .record(
          z.string().min(1),
          z.strictObject({ input: z.number().min(0), cached_input: z.number().min(0).optional(), output: z.number().min(0) }),
        )
        .default({}),
    })
    .prefault({}),
  patch: z
    .strictObject({
      /** Hard limits of a patch (PROTOCOL.md §5); a run over any of them fails and is rolled back. */
      max_files: z.number().int().min(1).max(1000).default(5),
      max_lines_per_file: z.number().int().min(1).default(50),
      max_total_lines: z.number().int().min(1).default(100),
      allow_dependency_changes: z.boolean().default(false),
      /** Globs (workspace-relative) a patch may never change, besides `.git/` and `.autonomous_runs/`. */
      protected: z.array(z.string().min(1)).default([]),
      /** Times a failed verification goes back to the same Codex thread before rolling back. */
      repair_attempts: z.number().int().min(0).max(5).default(1),
      /** Each verification command's limit; it is killed (with its process group) after this. */
      verify_timeout_s: seconds.default(600),
      /** Run once per pooled worktree, and again when a lock file changes: an argv, e.g. ["npm", "ci"]. */
      setup: z.array(z.string().min(1)).default([]),
      setup_timeout_s: seconds.default(1200),
      /** Warm sandbox worktrees kept for reuse. */
      pool_size: z.number().int().min(1).max(16).default(2),
      /** Where the sandbox worktrees live; empty: the user's state folder (never inside the checkout). */
      worktree_root: z.string().default(""),
      /** Merge a passing patch into the Builder's branch (`--no-ff`), only when its tree is clean and HEAD unmoved. */
      merge: z.boolean().default(false),
      /** Diagnose when progress/TASK_PACKET.md appears or changes. */
      auto_diagnose: z.boolean().default(true),
      /** Patch when progress/ROUTE_DECISION.md grants codex-rw. */
      auto_patch: z.boolean().default(true),
      /** Extra environment variable names passed to verification and setup commands. */
      env: names.default([]),
    })
    .prefault({}),
  micro: z
    .strictObject({
      max_files: z.number().int().min(1).max(100).default(2),
      max_lines: z.number().int().min(1).default(25),
      /** Codex attempts in all, the failure fed back after each. */
      attempts: z.number().int().min(1).max(5).default(2),
      /** Quality gate commands, one line each; empty: the test, lint and typecheck scripts of package.json. */
      gates: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  schedule: Schedules,
  digest: z
    .strictObject({
      /** Write out/digest-YYYY-MM-DD.md once a day. */
      enabled: z.boolean().default(false),
      /** When, `HH:MM` on the wall clock of `time_zone`. */
      at: z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, "a time of day, HH:MM (24-hour)").default("18:00"),
      time_zone: timeZone,
    })
    .prefault({})
    .superRefine((digest, ctx) => {
      if (!digest.enabled || digest.time_zone === "") return; // loads cron only for a digest in a named zone
      const problem = cronProblem("0 0 * * *", digest.time_zone);
      if (problem) ctx.addIssue({ code: "custom", path: ["time_zone"], message: `the digest's time zone "${digest.time_zone}" is not usable (${problem})` });
    }),
  retention: z
    .strictObject({
      /** Finished requests older than this move to .autonomous_runs/archive/YYYY-MM/; 0: never. */
      days: z.number().int().min(0).max(36_500).default(30),
    })
    .prefault({}),
  transcripts: z
    .strictObject({
      /**
       * Transcripts to watch for the magic phrase: files, folders (searched a few levels deep for
       * .jsonl/.md/.txt/.log files) and globs; `~` is the home folder, relative paths are from the
       * workspace. Empty: no transcript is watched.
       */
      paths: z.array(z.string().min(1)).default([]),
      /** Every transcript is also re-checked this often (a stat each), for events the OS did not deliver; 0: never. */
      poll_ms: z.number().int().min(0).max(600_000).default(2000),
      /** Bytes of transcript read back from a phrase for its context (mentioned files, errors, fixes). */
      context_window_bytes: z.number().int().min(4096).max(16_777_216).default(1_048_576),
      /** Files a request made from a phrase lists (mentioned ones first, then `git status`). */
      max_context_files: z.number().int().min(0).max(100).default(8),
      /** A file larger than this is named in the context but not listed. */
      max_context_file_bytes: z.number().int().positive().default(100_000),
      /** Total size of the files one such request lists. */
      max_context_bytes: z.number().int().positive().default(400_000),
      /** The error output a request carries keeps its head and tail within this size. */
      max_error_bytes: z.number().int().min(256).max(262_144).default(16_000),
    })
    .prefault({}),
});

export type Config = Readonly<z.output<typeof ConfigSchema>>;
