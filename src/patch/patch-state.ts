// The one state a patch run carries through its stages (execute-patch.ts): what it was given,
// what each stage found, and the counters its report shows. Types only.
import type { KindRun } from "../context/kind-run.js";
import type { RelayError } from "../errors.js";
import type { PatchReply } from "../protocol/patch-reply.js";
import type { CommandRun, DiffSummary, LimitViolation, VerificationCheck } from "../protocol/patch-run.js";
import type { ResultStatus, Usage } from "../protocol/result.js";
import type { Snapshot } from "./overlap.js";
import type { PatchPlan } from "./patch-plan.js";
import type { Sandbox } from "./worktree-pool.js";

export interface NamedCommand {
  readonly name: string;
  readonly command: string;
}

export interface PatchState {
  readonly run: KindRun;
  readonly plan: PatchPlan;
  readonly startedAt: Date;
  /** performance.now() when the run began, for the report's timing. */
  readonly t0: number;
  /** The Builder's HEAD: the sandbox starts there and the diff is taken against it. */
  readonly base: string;
  /** The approved files as the Builder had them, to spot its own edits while Codex worked. */
  readonly snapshot: Snapshot;
  readonly sandbox: Sandbox;
  /** The commands verified, with their names (micro gates: test, lint, typecheck). */
  commands: readonly NamedCommand[];
  baseline: CommandRun[];
  /** Codex runs made so far: the first plus repairs. */
  attempts: number;
  reply: PatchReply | null;
  diff: DiffSummary | null;
  violations: LimitViolation[];
  checks: VerificationCheck[];
  status: ResultStatus;
  failure: RelayError | null;
  commit: string | null;
  commitMessage: string | null;
  failedRef: string | null;
  /** The sandbox branch holds the commit, so it outlives the sandbox. */
  keepBranch: boolean;
  usage: Usage | null;
  codexStartedAt: Date | null;
  codexMs: number;
  verifyMs: number;
}
