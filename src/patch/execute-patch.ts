// The patch pipeline (PROTOCOL.md §5) for one planned run: take a warm sandbox worktree at the
// Builder's HEAD, verify the untouched base, let Codex edit it (workspace-write), check the diff
// against the limits, verify again, repair on the same Codex thread if verification broke, then
// commit on the sandbox branch — or keep the attempt under a ref and roll the sandbox back.
// The Builder's checkout is only ever read.
import { performance } from "node:perf_hooks";
import { isRequeueReason } from "../codex/run-codex.js";
import { codexEnd, invokeCodex, outputSchemaFile, parseJsonReply, prepareCodex } from "../codex/invoke-codex.js";
import type { KindRun } from "../context/kind-run.js";
import { RelayError, toRelayError } from "../errors.js";
import { fenceFor } from "../protocol/code-fence.js";
import { PatchReply, patchReplyJsonSchema } from "../protocol/patch-reply.js";
import type { ResultStatus, Usage } from "../protocol/result.js";
import { loadTemplate, renderTemplate } from "../report/templates.js";
import { buildCommitMessage } from "./commit-message.js";
import { checkLimits } from "./limits.js";
import { builderOverlap, snapshotFiles } from "./overlap.js";
import type { PatchPlan } from "./patch-plan.js";
import { detectQualityGates } from "./quality-gates.js";
import { verificationEnv } from "./run-command.js";
import { builderHead, commitSandbox, deleteBranch, mergeIntoBuilder, saveFailedWork } from "./sandbox-commit.js";
import { collectChanges, restoreToIndex } from "./sandbox-diff.js";
import { sandboxPool } from "./sandbox-pool.js";
import type { CommandRun, DiffSummary, LimitViolation, PatchRunReport, VerificationCheck } from "../protocol/patch-run.js";
import { compareRuns, failureDigest, runVerification, verificationPassed } from "./verification.js";

export interface PatchExecution {
  readonly requeue: boolean;
  readonly report: PatchRunReport;
  readonly status: ResultStatus;
  readonly error: RelayError | null;
  /** The commands verified, with their names (micro gates: test, lint, typecheck). */
  readonly commands: readonly { readonly name: string; readonly command: string }[];
  readonly usage: Usage | null;
  readonly codexStartedAt: Date | null;
}

const FAILURE_DIGEST_BYTES = 12_000;
// Written by the daemon and the Builder's agent, never by a patch (limits.ts protects them).
const PROTOCOL_DIRS = ["out", "progress", ".autonomous_runs"];

export async function executePatch(run: KindRun, plan: PatchPlan): Promise<PatchExecution> {
  const { ctx, id, signal } = run;
  const { layout, config } = ctx;
  const startedAt = ctx.now();
  const t0 = performance.now();
  const head = await builderHead(layout.workspace).catch((cause: unknown) => {
    throw new RelayError("not_a_git_repo", `${layout.workspace} is not a git repository with a commit`, { cause });
  });
  const base = head.sha;
  const approvedPlain = (plan.limits.approvedFiles ?? []).filter((file) => !/[*?]/.test(file));
  const snapshot = await snapshotFiles(layout.workspace, approvedPlain);
  const setup = await prepareCodex(ctx, run.request.model);
  Object.assign(run.codex, { bin: setup.bin, version: setup.version, model: setup.model, sandbox: "workspace-write" });

  const sandbox = await sandboxPool(ctx).acquire({ base, branch: plan.branch, signal });
  ctx.logger.log("info", "sandbox ready", { id, slot: sandbox.slot, cold: sandbox.cold, ms: Math.round(sandbox.prepareMs) });
  let commands: readonly { name: string; command: string }[] = plan.commands === "gates" ? [] : plan.commands;
  let diff: DiffSummary | null = null;
  let violations: LimitViolation[] = [];
  let checks: VerificationCheck[] = [];
  let reply: PatchReply | null = null;
  let failure: RelayError | null = null;
  let status: ResultStatus = "failed";
  let attempts = 0;
  let commit: string | null = null;
  let commitMessage: string | null = null;
  let failedRef: string | null = null;
  let codexMs = 0;
  let verifyMs = 0;
  let usage: Usage | null = null;
  let codexStartedAt: Date | null = null;
  let requeue = false;
  let keepBranch = false;
  try {
    if (signal?.aborted) throw signal.reason === "cancelled" ? new RelayError("cancelled", "the request was cancelled while its sandbox was prepared") : signal.reason;
    if (sandbox.setup && sandbox.setup.status !== "pass") {
      throw new RelayError("setup_failed", `setup \`${sandbox.setup.command}\` ${describe(sandbox.setup)} in ${sandbox.dir}:\n${sandbox.setup.outputTail}`);
    }
    if (plan.commands === "gates") commands = await detectQualityGates(sandbox.dir, config.micro.gates);
    const lines = commands.map((c) => c.command);
    const verify = async (): Promise<CommandRun[]> => {
      const t = performance.now();
      const runs = await runVerification(lines, {
        cwd: sandbox.dir,
        env: verificationEnv(ctx.env, config.patch.env),
        timeoutMs: config.patch.verify_timeout_s * 1000,
        signal,
        redact: (text) => ctx.redactor.redact(text),
      });
      await restoreToIndex(sandbox.dir); // what the commands wrote is not part of the change
      verifyMs += performance.now() - t;
      if (signal?.aborted) throw signal.reason === "cancelled" ? new RelayError("cancelled", "the request was cancelled during verification") : signal.reason;
      return runs;
    };
    const baseline = await verify();
    let prompt = ctx.redactor.redact(await patchPrompt(ctx.layout.templates, plan, baseline));
    for (attempts = 1; attempts <= plan.attempts; attempts += 1) {
      const t = performance.now();
      const result = await invokeCodex(ctx, setup, {
        id,
        cwd: sandbox.dir,
        sandbox: "workspace-write",
        prompt,
        outputSchemaFile: await outputSchemaFile(ctx, "patch", patchReplyJsonSchema),
        resumeThreadId: attempts > 1 ? (run.codex.thread_id ?? undefined) : undefined,
        skipGitRepoCheck: false,
        signal,
        onSpawn: run.onSpawn,
      });
      codexMs += performance.now() - t;
      codexStartedAt ??= result.startedAt;
      usage = addUsage(usage, result.state.usage);
      const threadBefore = run.codex.thread_id;
      const end = codexEnd(run, result);
      run.codex.thread_id ??= threadBefore;
      if (end.kind === "ended") {
        if (end.outcome.kind === "requeue") {
          requeue = true;
          break;
        }
        status = end.outcome.status;
        failure = end.outcome.error ?? new RelayError("codex_failed", "Codex did not finish the patch");
        break;
      }
      const parsed = parseJsonReply(end.message, PatchReply);
      const changes = await collectChanges(sandbox.dir, base);
      diff = changes;
      if (!parsed.ok) {
        failure = parsed.error;
        break;
      }
      reply = parsed.value;
      violations = checkLimits(changes, plan.limits);
      if (violations.length > 0) {
        failure = new RelayError("patch_limits", `the change breaks ${violations.length} limit(s): ${violations.map((v) => v.message).join("; ")}`);
        break;
      }
      checks = compareRuns(baseline, await verify(), lines);
      if (verificationPassed(checks)) {
        failure = null;
        break;
      }
      const broken = checks.filter((c) => c.verdict === "broken").map((c) => `\`${c.command}\``);
      failure = new RelayError("verification_failed", `verification broke after ${attempts} attempt(s): ${broken.join(", ")}`);
      if (attempts < plan.attempts) {
        const digest = failureDigest(checks, FAILURE_DIGEST_BYTES);
        const template = await loadTemplate("repair-prompt.md", ctx.layout.templates);
        prompt = ctx.redactor.redact(
          renderTemplate(template, { attempt: attempts, attempts: plan.attempts, failures: { text: digest, fence: fenceFor(digest) } }),
        );
      }
    }
    if (!requeue && failure === null && reply && diff) {
      commitMessage = buildCommitMessage({ ...reply.commit, verification: checks, requestId: id, threadId: run.codex.thread_id, files: diff.files.map((f) => f.path) });
      commit = await commitSandbox(sandbox.dir, commitMessage, ctx.now());
      keepBranch = true;
      status = "completed";
    } else if (!requeue && diff && diff.files.length > 0) {
      failedRef = (await saveFailedWork(sandbox.dir, base, `refs/codex-relay/failed/${id}`, `codex-relay: failed ${plan.mode} attempt ${id}\n\n${failure?.message ?? ""}\n`)).ref;
    }
  } catch (error) {
    if (isRequeueReason(error)) requeue = true;
    else {
      failure = toRelayError(error);
      status = failure.code === "cancelled" ? "cancelled" : "failed";
    }
  } finally {
    await sandbox.release();
    if (!keepBranch) await deleteBranch(layout.workspace, plan.branch).catch((e: unknown) => ctx.logger.log("warn", "branch not deleted", { id, message: String(e) }));
  }

  const overlap = requeue ? [] : await builderOverlap(layout.workspace, base, snapshot, diff?.files.map((f) => f.path) ?? []);
  let merge: PatchRunReport["merge"] = null;
  if (status === "completed" && config.patch.merge) {
    merge =
      overlap.length > 0
        ? { merged: false, commit: null, reason: `not merged: you changed ${overlap.join(", ")} in your checkout; review the branch and merge by hand` }
        : await mergeIntoBuilder({ repo: layout.workspace, branch: plan.branch, expectedHead: base, message: `Merge ${plan.branch}: ${reply?.commit.subject ?? plan.title}`, now: ctx.now(), ignorePaths: PROTOCOL_DIRS });
  }
  const finishedAt = ctx.now();
  const report: PatchRunReport = {
    kind: plan.mode,
    id,
    status: status === "completed" ? "passed" : "failed",
    title: plan.title,
    description: plan.description,
    startedAt,
    finishedAt,
    diagnosisPath: plan.diagnosis?.path ?? null,
    taskPacketPath: plan.taskPacketPath,
    base,
    branch: keepBranch ? plan.branch : null,
    commit,
    commitMessage,
    failedRef,
    patchFile: null,
    diff,
    rationale: reply?.rationale ?? "",
    fileRationales: reply?.files ?? [],
    violations,
    verification: checks,
    attempts,
    threadId: run.codex.thread_id,
    codexVersion: setup.version,
    model: setup.model,
    failure: failure && { code: failure.code, message: failure.message, hint: failure.hint },
    missing: [],
    merge,
    overlap,
    limits: plan.limits,
    timing: { setupMs: sandbox.setup?.durationMs ?? null, codexMs: Math.round(codexMs), verifyMs: Math.round(verifyMs), totalMs: Math.round(performance.now() - t0) },
  };
  ctx.logger.log("info", "patch finished", {
    id,
    status: report.status,
    attempts,
    overhead_ms: Math.round(performance.now() - t0 - codexMs - verifyMs - (sandbox.setup?.durationMs ?? 0)),
  });
  return { requeue, report, status, error: failure, commands, usage, codexStartedAt };
}

async function patchPrompt(templates: string, plan: PatchPlan, baseline: readonly CommandRun[]): Promise<string> {
  const template = await loadTemplate("patch-prompt.md", templates);
  return renderTemplate(template, {
    title: plan.title,
    description: plan.description,
    diagnosis: plan.diagnosis,
    approved_files: plan.limits.approvedFiles,
    max_files: plan.limits.maxFiles,
    max_lines_per_file: plan.limits.maxLinesPerFile,
    max_total_lines: plan.limits.maxTotalLines,
    verification: baseline.map((r) => ({ command: r.command, baseline: r.status === "pass" ? "passes" : `${describe(r)}: make it pass if the task is about it, otherwise leave it as it is` })),
  });
}

function describe(run: CommandRun): string {
  return run.status === "timeout" ? "timed out" : run.status === "error" ? "could not run" : run.status === "fail" ? `fails (exit ${run.exitCode})` : "passes";
}

function addUsage(total: Usage | null, more: Omit<Usage, "cost_usd"> | null): Usage | null {
  if (!more) return total;
  if (!total) return { ...more, cost_usd: null };
  return {
    input_tokens: total.input_tokens + more.input_tokens,
    cached_input_tokens: total.cached_input_tokens + more.cached_input_tokens,
    output_tokens: total.output_tokens + more.output_tokens,
    reasoning_output_tokens: total.reasoning_output_tokens + more.reasoning_output_tokens,
    cost_usd: null,
  };
}
