// The prompt of an analysis run: the request's sections and the embedded files, rendered from the
// `analysis-prompt.md` template. Pure; the caller redacts the result before it leaves the machine.
import { fenceFor } from "../protocol/code-fence.js";
import type { DelegationRequest } from "../protocol/request.js";
import { renderTemplate } from "../report/templates.js";
import type { EmbeddedFile } from "../security/file-guard.js";

export interface PromptInput {
  readonly id: string;
  readonly request: DelegationRequest;
  readonly files: readonly EmbeddedFile[];
  readonly warnings: readonly string[];
  /** Error logs longer than this keep their tail: the end of a log is where the error is. */
  readonly maxLogBytes: number;
}

export function renderAnalysisPrompt(template: string, input: PromptInput): string {
  const { request } = input;
  const logs = tail(request.errorLogs.trim(), input.maxLogBytes);
  return renderTemplate(template, {
    id: input.id,
    issue: request.issue.trim(),
    context: request.context.trim() || null,
    error_logs: logs ? { text: logs, fence: fenceFor(logs) } : null,
    has_attempted_fixes: request.attemptedFixes.length > 0,
    attempted_fixes: request.attemptedFixes,
    has_questions: request.questions.length > 0,
    questions: request.questions,
    extra_sections: request.extraSections.map((s) => ({ title: s.title, body: s.body.trim() })),
    has_files: input.files.length > 0,
    files: input.files.map((f) => ({ ...f, fence: fenceFor(f.content) })),
    has_warnings: input.warnings.length > 0,
    warnings: input.warnings,
  });
}

function tail(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  const kept = bytes.subarray(bytes.length - maxBytes).toString("utf8").replace(/^\uFFFD+/, "");
  return `[... ${bytes.length - maxBytes} earlier bytes of the log omitted ...]\n${kept}`;
}
