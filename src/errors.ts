// Errors with a stable `code`: every failure a user can meet has one, and each code has a hint
// that says what to do. The same codes appear in RESULT files (`error.code`, `error.hint`).

export const ERROR_HINTS = {
  codex_not_found:
    "Install Codex into this repository with `npm install -D @openai/codex` (or for your user: `npm install -g @openai/codex`), or point `codex.bin` in codex-relay.toml (or CODEX_BIN) at the codex you have.",
  codex_not_authenticated:
    "Run `codex login` (or set OPENAI_API_KEY / the env_key of your configured provider), then retry.",
  codex_rate_limited: "The model provider is rate limiting; wait and retry, or lower `daemon.concurrency`.",
  codex_unreachable:
    "Codex could not reach the model provider: check its base_url (codex-relay.toml [codex.config] or ~/.codex/config.toml), your network and proxy, and run `codex-relay doctor`, which probes the provider. Raise `codex.unreachable_s` for a slow network.",
  codex_http_error: "The model provider returned an HTTP error; check the provider's status and your `codex` settings.",
  budget_exceeded:
    "A token cap of codex-relay.toml [budget] was reached (request_tokens, patch_tokens or daily_tokens, as the message says); raise it, or wait for the next UTC day for daily_tokens.",
  replay_diverged:
    "Codex asked something the recording does not hold (the request, a template, a file Codex read or the Codex version changed since it was recorded); the message names the call and what differed. Run the request anew to record it again.",
  no_recording:
    "Only a request whose model calls went through the gateway with `gateway.record = true` can be replayed; `codex-relay status` lists the requests, and a replay is itself never recorded (replay the original).",
  codex_sandbox_unavailable:
    "Codex could not start its sandbox; run `codex-relay doctor` and check that Landlock/seccomp (Linux) or Seatbelt (macOS) is available.",
  codex_failed: "Codex reported a failure; see the message and CODEX_DELEGATION_LOG_<id>.jsonl for the events.",
  codex_crashed: "Codex exited without finishing its turn; see the stderr tail in the message and retry.",
  codex_no_output: "Codex finished without a final message; retry, or try another model.",
  invalid_reply:
    "Codex's final message did not match the result schema; the raw reply is kept in `raw_reply`. Retry, or try another model.",
  start_timeout: "Codex did not start a thread in time; check `codex-relay doctor`, or raise `watchdog.start_timeout_s`.",
  stall_timeout: "Codex went silent; raise `watchdog.stall_timeout_s` if the model is slow, or check the provider.",
  wall_timeout: "The run hit the wall-clock cap; split the request, or raise `watchdog.wall_timeout_s`.",
  cancelled: "The request was cancelled (CANCEL file, deleted request, or daemon shutdown).",
  invalid_request:
    "Fix the request file: it needs YAML front matter that parses and an `## Issue` section (or `issue:` in the front matter).",
  request_too_large: "Shorten the request or raise `limits.max_request_bytes` in codex-relay.toml.",
  invalid_config: "Fix codex-relay.toml as the message says; `codex-relay doctor` checks it.",
  workspace_locked: "Another codex-relay daemon holds this workspace; stop it first, or use that one.",
  daemon_crashed:
    "The daemon stopped while running this request too many times; see the daemon log, then re-submit the request.",
  patch_prerequisites:
    "A patch needs progress/TASK_PACKET.md (with verification commands), progress/ROUTE_DECISION.md (permission: codex-rw, approved_by, ## Approved Files) and an out/codex-diagnosis-*.md; the report names what is missing.",
  stale_approval:
    "The diagnosis the route decision names changed after it was approved: read it again, then save progress/ROUTE_DECISION.md again (or update its `diagnosis_sha256:`) to approve what it says now, and re-run `codex-relay patch`.",
  patch_limits:
    "The change is larger than the patch limits or touches files it may not; split the task, approve the files, or raise the limits in [patch] of codex-relay.toml.",
  verification_failed:
    "The patch broke a verification command and the repair attempt did not fix it; the attempt is kept for inspection (see the report), re-diagnose with its output.",
  setup_failed: "The sandbox setup command (`patch.setup`) failed in the worktree; run it by hand there to see why, or fix the setting.",
  not_a_git_repo: "Patches need a git repository with at least one commit: run `git init` and commit, or point --workspace at the repository.",
  workspace_not_found:
    "Check the path given to --workspace (or run the command inside the repository); `codex-relay init --workspace DIR` sets up a new workspace.",
  not_a_workspace:
    "Run the command inside your repository, or name it with --workspace <repo>; to use this folder, run `git init` or `codex-relay init` in it first.",
  invalid_argument: "Check the command's flags: `codex-relay <command> --help` lists them and what they take.",
  unknown_request: "Check the id: `codex-relay status` lists every request of the workspace.",
  unknown_plan: "Check the plan id: each plan is a folder progress/plans/<id>/ holding PLAN.md, written by `codex-relay plan \"<goal>\"`.",
  internal_error: "codex-relay hit an unexpected error; see the daemon log and report it with the request.",
} as const;

export type ErrorCode = keyof typeof ERROR_HINTS;

/** The error every codex-relay module throws: a stable code, a message that says what failed, a hint. */
export class RelayError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RelayError";
    this.code = code;
    this.hint = options.hint ?? ERROR_HINTS[code];
  }
}

/** Any thrown value as a RelayError, keeping the original as `cause`. */
export function toRelayError(error: unknown, fallback: ErrorCode = "internal_error"): RelayError {
  if (error instanceof RelayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RelayError(fallback, message, { cause: error });
}
