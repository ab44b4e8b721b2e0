// The analysis kind (the "DELEGATE TO CODEX" flow): embed the listed files safely, render the
// prompt, run Codex read-only in the workspace and validate its reply.
import { renderAnalysisPrompt } from "./analysis-prompt.js";
import { CodexReply, codexReplyJsonSchema } from "../protocol/result.js";
import { loadTemplate } from "../report/templates.js";
import { readRequestedFiles, DEFAULT_SECRET_DENY } from "../security/file-guard.js";
import { codexEnd, invokeCodex, outputSchemaFile, parseJsonReply, prepareCodex } from "../codex/invoke-codex.js";
import type { KindOutcome, KindRun } from "../context/kind-run.js";

export async function runAnalysis(run: KindRun): Promise<KindOutcome> {
  const { ctx, id, request } = run;
  const { config, layout } = ctx;
  const { files, warnings } = await readRequestedFiles(layout.workspace, request.files, {
    maxFileBytes: config.limits.max_file_bytes,
    maxTotalBytes: config.limits.max_total_file_bytes,
    maxFiles: config.limits.max_files,
    deny: [...DEFAULT_SECRET_DENY, ...config.security.deny],
  });
  run.warnings.push(...warnings);
  const template = await loadTemplate("analysis-prompt.md", layout.templates);
  const prompt = ctx.redactor.redact(
    renderAnalysisPrompt(template, { id, request, files, warnings, maxLogBytes: config.limits.max_log_bytes }),
  );
  const setup = await prepareCodex(ctx, request.model);
  run.codex.bin = setup.bin;
  run.codex.version = setup.version;
  run.codex.model = setup.model;
  const result = await invokeCodex(ctx, setup, {
    id,
    cwd: layout.workspace,
    sandbox: "read-only",
    prompt,
    outputSchemaFile: await outputSchemaFile(ctx, "analysis", codexReplyJsonSchema),
    skipGitRepoCheck: true, // read-only analysis works in any folder; the sandbox is the guard
    signal: run.signal,
    onSpawn: run.onSpawn,
  });
  const end = codexEnd(run, result);
  if (end.kind !== "replied") return end.outcome;
  const reply = parseJsonReply(end.message, CodexReply);
  if (!reply.ok) return { ...end.base, status: "failed", error: reply.error, rawReply: end.message };
  const { patch, ...analysis } = reply.value;
  return { ...end.base, status: "completed", analysis, patch };
}
