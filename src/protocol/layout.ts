// The file names and folders of PROTOCOL.md §1–§5, in one place. Pure: paths only, no IO.
import path from "node:path";

export const RUNS_DIR = ".autonomous_runs";
export const INBOX_DIR = `${RUNS_DIR}/codex_delegations`;
export const RELAY_DIR = `${RUNS_DIR}/.relay`;
export const PROGRESS_DIR = "progress";
export const OUT_DIR = "out";

// The patch workflow's files, workspace-relative with `/` (as reports and messages name them).
export const TASK_PACKET_FILE = `${PROGRESS_DIR}/TASK_PACKET.md`;
export const ROUTE_DECISION_FILE = `${PROGRESS_DIR}/ROUTE_DECISION.md`;
export const LEDGER_FILE = `${PROGRESS_DIR}/ledger.jsonl`;
export const FAILURE_PATTERNS_FILE = `${OUT_DIR}/failure-patterns.jsonl`;

// A plan's folder, `progress/plans/<id>/`: PLAN.md (for people; written last, so it marks a whole
// plan), one task packet per step, and the route decision a person writes once for the plan.
export const PLANS_DIR = `${PROGRESS_DIR}/plans`;
export const PLAN_FILE = "PLAN.md";
export const PLAN_STEP_FILE = /^step-(\d{2,})\.md$/;
/** `step-01.md`: step `n`'s task packet, numbered so the names sort in step order. */
export function planStepName(n: number): string {
  return `step-${String(n).padStart(2, "0")}.md`;
}
/** `codex/plan-<id>`: the branch a plan's steps are committed on, one stacked on the other. */
export function planBranch(id: string): string {
  return `codex/plan-${id}`;
}

/**
 * What `init` keeps out of git (.gitignore patterns, workspace-relative): everything the relay
 * writes. The audit branch already records each request, RESULT pair, event log, report and the
 * ledger, requests may hold pasted logs, and the ledger is appended on every run (a merge conflict
 * on every branch that carried it). Task packets and route decisions are the Builder's and the
 * approver's own files, not the relay's, and stay theirs to commit.
 */
export const IGNORED_OUTPUTS: readonly string[] = [
  `/${RUNS_DIR}/`,
  `/${OUT_DIR}/codex-diagnosis-*.md`,
  `/${OUT_DIR}/codex-patch-*`,
  `/${OUT_DIR}/micro-*.json`,
  `/${OUT_DIR}/codex-plan-run-*.md`,
  `/${OUT_DIR}/digest-*.md`,
  `/${FAILURE_PATTERNS_FILE}`,
  `/${LEDGER_FILE}`,
];

const ID = String.raw`\d{8}_\d{6}(?:_\d+)?`;
export const REQUEST_FILE = new RegExp(`^CODEX_DELEGATION_REQUEST_(${ID})\\.md$`);
export const CANCEL_FILE = new RegExp(`^CODEX_DELEGATION_CANCEL_(${ID})$`);
export const APPROVE_FILE = new RegExp(`^CODEX_DELEGATION_APPROVE_(${ID})$`);
export const RESULT_JSON_FILE = new RegExp(`^CODEX_DELEGATION_RESULT_(${ID})\\.json$`);
export const LOG_FILE = new RegExp(`^CODEX_DELEGATION_LOG_(${ID})\\.jsonl$`);
export const ID_PATTERN = new RegExp(`^${ID}$`);

/** `CODEX_DELEGATION_REQUEST_<id>.md`: a request's file name, without its folder. */
export function requestName(id: string): string {
  return `CODEX_DELEGATION_REQUEST_${id}.md`;
}

/** `CODEX_DELEGATION_RESULT_<id>.md` or `.json`; the `.json` is the commit point (PROTOCOL.md §3.4). */
export function resultName(id: string, ext: "md" | "json"): string {
  return `CODEX_DELEGATION_RESULT_${id}.${ext}`;
}

/** `CODEX_DELEGATION_LOG_<id>.jsonl`: a request's event log, without its folder. */
export function logName(id: string): string {
  return `CODEX_DELEGATION_LOG_${id}.jsonl`;
}

/** Every path the protocol names for one workspace. */
export interface Layout {
  readonly workspace: string;
  readonly inbox: string;
  readonly relay: string;
  readonly claims: string;
  readonly tmp: string;
  readonly lockFile: string;
  readonly logFile: string;
  /** What the editor hooks could not do: they print nothing, so they say it here. */
  readonly hookLogFile: string;
  readonly progress: string;
  readonly out: string;
  readonly taskPacket: string;
  readonly routeDecision: string;
  readonly ledger: string;
  readonly failurePatterns: string;
  readonly templates: string;
  readonly configFile: string;
  /** `.relay/approvals/`: the patch request queued for each approval (see approval-request.ts). */
  readonly approvals: string;
  request(id: string): string;
  result(id: string, ext: "md" | "json"): string;
  log(id: string): string;
  cancel(id: string): string;
  approve(id: string): string;
  claim(id: string): string;
  /** The record of the patch request asked for the route decision whose sha256 is `sha256`. */
  approval(sha256: string): string;
  /** The model gateway's token totals of one UTC day (`YYYY-MM-DD`). */
  usageDay(day: string): string;
  /** `.relay/config-cache.json`: the daemon's validated codex-relay.toml, so a CLI need not load zod (config/cached-config.ts). */
  readonly configCache: string;
  /** `.relay/schedules.json`: when each schedule (and the digest) last ran, so a tick missed while no daemon ran runs once at start. */
  readonly scheduleState: string;
  /** `.relay/hook-sessions/<key>/`: what the editor hooks did for one session (hook-sessions.ts); `key` from phrase-records' sessionKey. */
  hookSession(key: string): string;
  /** `.autonomous_runs/archive/`: finished requests past `retention.days`, one folder per month. */
  readonly archive: string;
  /** `.autonomous_runs/archive/YYYY-MM/`: a month's archived request, RESULT and log files (same names as in the inbox). */
  archiveMonth(month: string): string;
  /** Where retention moves a finished request's RESULT: `archive/<YYYY>-<MM>/` of the id's first six digits (PROTOCOL.md §8). */
  archivedResult(id: string, ext: "md" | "json"): string;
  /** `.relay/recordings/<id>/`: the gateway's recording of one request's model calls (for `replay`). */
  recording(id: string): string;
  /** `progress/plans/<id>/`: a plan's PLAN.md and one task packet per step. */
  plan(id: string): string;
  /** `progress/plans/<id>/PLAN.md`. */
  planFile(id: string): string;
  /** `progress/plans/<id>/step-NN.md`: step `n`'s task packet (1-based). */
  planStep(id: string, n: number): string;
  /** `progress/plans/<id>/ROUTE_DECISION.md`: the one approval of every step of the plan. */
  planRoute(id: string): string;
  /** `out/digest-YYYY-MM-DD.md`: the daily digest. */
  digest(day: string): string;
}

export function layoutFor(workspace: string): Layout {
  const ws = path.resolve(workspace);
  const inbox = path.join(ws, INBOX_DIR);
  const relay = path.join(ws, RELAY_DIR);
  return Object.freeze({
    workspace: ws,
    inbox,
    relay,
    claims: path.join(relay, "claims"),
    tmp: path.join(relay, "tmp"),
    lockFile: path.join(relay, "daemon.lock"),
    logFile: path.join(relay, "daemon.log.jsonl"),
    hookLogFile: path.join(relay, "hook.log.jsonl"),
    progress: path.join(ws, PROGRESS_DIR),
    out: path.join(ws, OUT_DIR),
    taskPacket: path.join(ws, TASK_PACKET_FILE),
    routeDecision: path.join(ws, ROUTE_DECISION_FILE),
    ledger: path.join(ws, LEDGER_FILE),
    failurePatterns: path.join(ws, FAILURE_PATTERNS_FILE),
    templates: path.join(ws, "templates"),
    configFile: path.join(ws, "codex-relay.toml"),
    approvals: path.join(relay, "approvals"),
    request: (id: string) => path.join(inbox, requestName(id)),
    result: (id: string, ext: "md" | "json") => path.join(inbox, resultName(id, ext)),
    log: (id: string) => path.join(inbox, logName(id)),
    cancel: (id: string) => path.join(inbox, `CODEX_DELEGATION_CANCEL_${id}`),
    approve: (id: string) => path.join(inbox, `CODEX_DELEGATION_APPROVE_${id}`),
    claim: (id: string) => path.join(relay, "claims", `${id}.json`),
    approval: (sha256: string) => path.join(relay, "approvals", sha256),
    usageDay: (day: string) => path.join(relay, "usage", `${day}.json`),
    configCache: path.join(relay, "config-cache.json"),
    scheduleState: path.join(relay, "schedules.json"),
    hookSession: (key: string) => path.join(relay, "hook-sessions", key),
    archive: path.join(ws, RUNS_DIR, "archive"),
    archiveMonth: (month: string) => path.join(ws, RUNS_DIR, "archive", month),
    archivedResult: (id: string, ext: "md" | "json") => path.join(ws, RUNS_DIR, "archive", `${id.slice(0, 4)}-${id.slice(4, 6)}`, resultName(id, ext)),
    recording: (id: string) => path.join(relay, "recordings", id),
    plan: (id: string) => path.join(ws, PLANS_DIR, id),
    planFile: (id: string) => path.join(ws, PLANS_DIR, id, PLAN_FILE),
    planStep: (id: string, n: number) => path.join(ws, PLANS_DIR, id, planStepName(n)),
    planRoute: (id: string) => path.join(ws, PLANS_DIR, id, "ROUTE_DECISION.md"),
    digest: (day: string) => path.join(ws, OUT_DIR, `digest-${day}.md`),
  });
}

/** The id of a request file name, or undefined when the name is not a request. */
export function requestIdOf(fileName: string): string | undefined {
  return REQUEST_FILE.exec(fileName)?.[1];
}
