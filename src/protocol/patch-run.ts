// The shapes the patch workflow passes between its stages (worktree → diff → limits → verify →
// commit → report). Types only.

/** One file the patch changed, as git sees it against the base commit. */
export interface FileChange {
  /** Workspace-relative posix path (the new path of a rename). */
  readonly path: string;
  readonly oldPath: string | null;
  readonly status: "added" | "modified" | "deleted" | "renamed" | "typechange";
  readonly added: number;
  readonly removed: number;
  readonly binary: boolean;
  /** True when the file is a package manifest or lock file and its dependencies changed. */
  readonly dependencyChange: boolean;
  /** This file's unified diff (may be truncated for reports; `DiffSummary.patch` is whole). */
  readonly diff: string;
}

export interface DiffSummary {
  readonly files: readonly FileChange[];
  /** Sum of added + removed over all files. */
  readonly totalLines: number;
  /** The whole unified diff, base → worktree, binary-safe (`git diff --binary`). */
  readonly patch: string;
}

export interface PatchLimits {
  readonly maxFiles: number;
  readonly maxLinesPerFile: number;
  readonly maxTotalLines: number;
  /** Workspace-relative paths or globs Codex may change; null: any file (micro). */
  readonly approvedFiles: readonly string[] | null;
  readonly allowDependencyChanges: boolean;
  /** Globs never changed whatever the approval (`.git/`, the daemon's state, config additions). */
  readonly protectedPaths: readonly string[];
}

export type LimitCode =
  | "too_many_files"
  | "file_too_large"
  | "too_many_lines"
  | "unapproved_file"
  | "dependency_change"
  | "protected_path"
  | "no_changes";

export interface LimitViolation {
  readonly code: LimitCode;
  readonly file: string | null;
  readonly limit: number | null;
  readonly actual: number | null;
  /** A sentence for the report: what was exceeded, by how much. */
  readonly message: string;
}

/** One verification (or setup, or quality gate) command run. */
export interface CommandRun {
  /** The line as written in the task packet (or the gate's name). */
  readonly command: string;
  readonly argv: readonly string[];
  readonly status: "pass" | "fail" | "timeout" | "error";
  readonly exitCode: number | null;
  readonly durationMs: number;
  /** Last part of stdout+stderr interleaved, redacted. */
  readonly outputTail: string;
}

/** A verification command compared before and after the patch. */
export interface VerificationCheck {
  readonly command: string;
  readonly baseline: CommandRun | null;
  readonly after: CommandRun | null;
  /** pass: passes now; pre_existing: failed on the base too; broken: passed before, fails now. */
  readonly verdict: "pass" | "pre_existing" | "broken" | "not_run";
}

/** A prerequisite of a patch that does not hold (PROTOCOL.md §5). */
export interface MissingPrerequisite {
  readonly what: "task_packet" | "verification_commands" | "route_decision" | "codex_rw_permission" | "approval" | "approved_files" | "diagnosis" | "stale_approval" | "plan_step";
  /** Workspace-relative file the prerequisite lives in. */
  readonly path: string;
  readonly message: string;
  /** What the Builder should do about it. */
  readonly fix: string;
}

/** Everything a patch or micro report, the ledger line and micro.json are rendered from. */
export interface PatchRunReport {
  readonly kind: "patch" | "micro";
  readonly id: string;
  /** passed: committed; failed: verification or limits failed, rolled back; aborted: never patched. */
  readonly status: "passed" | "failed" | "aborted";
  readonly title: string;
  /** The change description (micro) or the task packet's description (patch). */
  readonly description: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** Workspace-relative inputs: the diagnosis and task packet (null for micro). */
  readonly diagnosisPath: string | null;
  readonly taskPacketPath: string | null;
  /** sha256 of the diagnosis used and of the route decision that approved it (null for micro, or when not read). */
  readonly diagnosisSha256: string | null;
  readonly routeDecisionSha256: string | null;
  /** The route decision that approved it, workspace-relative; absent: progress/ROUTE_DECISION.md (a plan's step: the plan's own). */
  readonly routeDecisionPath?: string;
  readonly base: string | null;
  readonly branch: string | null;
  readonly commit: string | null;
  readonly commitMessage: string | null;
  /** Failed work kept for inspection: a ref and a .patch file (workspace-relative). */
  readonly failedRef: string | null;
  readonly patchFile: string | null;
  readonly diff: DiffSummary | null;
  readonly rationale: string;
  readonly fileRationales: readonly { readonly path: string; readonly rationale: string }[];
  readonly violations: readonly LimitViolation[];
  readonly verification: readonly VerificationCheck[];
  /** Codex runs made (1 + repairs). */
  readonly attempts: number;
  readonly threadId: string | null;
  readonly codexVersion: string | null;
  readonly model: string | null;
  readonly failure: { readonly code: string; readonly message: string; readonly hint: string } | null;
  readonly missing: readonly MissingPrerequisite[];
  readonly merge: { readonly merged: boolean; readonly commit: string | null; readonly reason: string } | null;
  /** Approved files the Builder changed in its own checkout while Codex worked. */
  readonly overlap: readonly string[];
  readonly limits: PatchLimits;
  readonly timing: {
    readonly setupMs: number | null;
    readonly codexMs: number | null;
    readonly verifyMs: number | null;
    readonly totalMs: number;
  };
}
