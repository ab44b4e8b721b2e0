// The analysis kind (the "DELEGATE TO CODEX" flow): embed the listed files safely, render the
// prompt, run Codex read-only in the workspace and validate its reply.
import { renderAnalysisPrompt } from "./analysis-prompt.js";
import { CodexReply, codexReplyJsonSchema } from "../protocol/result.js";
import type { ReplySchema } from "../codex/reply-schema.js";
import { loadTemplate } from "../report/templates.js";
import { readRequestedFiles, DEFAULT_SECRET_DENY } from "../security/file-guard.js";
import { askCodex } from "../codex/ask-codex.js";
import type { KindOutcome, KindRun } from "../context/kind-run.js";
import type { RelayContext } from "../context/relay-context.js";
import type { TurnPlan } from "../codex/turn-plan.js";
import type { DelegationRequest } from "../protocol/request.js";

export const ANALYSIS_REPLY: ReplySchema<CodexReply> = { name: "analysis", type: CodexReply, json: codexReplyJsonSchema };

export async function runAnalysis(run: KindRun): Promise<KindOutcome> {
  const plan = await analysisTurn(run.ctx, run.id, run.request);
  run.warnings.push(...plan.refused);
  const turn = await askCodex(run, plan);
  if (turn.kind !== "replied") return turn.outcome;
  const { patch, ...analysis } = turn.reply;
  return { ...turn.base, status: "completed", analysis, patch };
}

/** The analysis turn: the listed files read through the file guard, the prompt rendered and redacted. */
export async function analysisTurn(ctx: RelayContext, id: string, request: DelegationRequest): Promise<TurnPlan<CodexReply>> {
  const { config, layout } = ctx;
  const { files, warnings } = await readRequestedFiles(layout.workspace, request.files, {
    maxFileBytes: config.limits.max_file_bytes,
    maxTotalBytes: config.limits.max_total_file_bytes,
    maxFiles: config.limits.max_files,
    deny: [...DEFAULT_SECRET_DENY, ...config.security.deny],
  });
  const template = await loadTemplate("analysis-prompt.md", layout.templates);
  const prompt = ctx.redactor.redact(renderAnalysisPrompt(template, { id, request, files, warnings, maxLogBytes: config.limits.max_log_bytes }));
  return { cwd: layout.workspace, sandbox: "read-only", prompt, schema: ANALYSIS_REPLY, files, refused: warnings };
}
