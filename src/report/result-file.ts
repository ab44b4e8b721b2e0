// The RESULT pair of PROTOCOL.md §3.4: the .md for people first, then the .json, which is the
// commit point. Everything written passes through the redactor.
import { readFile } from "node:fs/promises";
import type { RelayError } from "../errors.js";
import { fenceFor } from "../protocol/code-fence.js";
import { requestName, type Layout } from "../protocol/layout.js";
import { ResultFile, RESULT_SCHEMA_ID, type Analysis, type ApprovalRecord, type GatewayReport, type ResultStatus, type Usage } from "../protocol/result.js";
import type { Redactor } from "../security/redact.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { oneLine } from "../util/one-line.js";
import { loadTemplate, renderTemplate } from "./templates.js";

export interface ResultInput {
  readonly id: string;
  readonly kind: string;
  readonly status: ResultStatus;
  readonly analysis?: Analysis | null;
  readonly patch?: string | null;
  readonly warnings: readonly string[];
  readonly error?: RelayError | null;
  readonly rawReply?: string | null;
  /** One line for people; default: the root cause, or the status and error. */
  readonly summary?: string;
  readonly codex: ResultFile["codex"];
  readonly usage?: Usage | null;
  /** The model gateway's meter of this request, when its calls went through the gateway. */
  readonly gateway?: GatewayReport | null;
  /** Who or what approved this run (or why the delegate policy stopped). */
  readonly approval?: ApprovalRecord | null;
  /** The request whose recording answered this one's model calls. */
  readonly replayOf?: string;
  readonly detectedAt: Date;
  readonly startedAt?: Date | null;
  /** Time spent in Codex, all turns; null when it never ran. */
  readonly codexMs?: number | null;
  readonly finishedAt: Date;
}

export function buildResult(input: ResultInput): ResultFile {
  const error = input.error ? { code: input.error.code, message: input.error.message, hint: input.error.hint } : null;
  return {
    schema: RESULT_SCHEMA_ID,
    id: input.id,
    request: requestName(input.id),
    kind: input.kind,
    status: input.status,
    summary: input.summary ?? summarize(input.status, input.analysis ?? null, error?.message ?? null),
    analysis: input.analysis ?? null,
    patch: input.patch ?? null,
    warnings: [...input.warnings],
    error,
    raw_reply: input.rawReply ?? null,
    codex: input.codex,
    usage: input.usage ?? null,
    ...(input.gateway ? { gateway: input.gateway } : {}),
    ...(input.approval ? { approval: input.approval } : {}),
    ...(input.replayOf ? { replay_of: input.replayOf } : {}),
    timing: {
      detected_at: input.detectedAt.toISOString(),
      started_at: input.startedAt?.toISOString() ?? null,
      finished_at: input.finishedAt.toISOString(),
      duration_ms: input.finishedAt.getTime() - input.detectedAt.getTime(),
      codex_ms: input.codexMs ?? null,
    },
  };
}

function summarize(status: ResultStatus, analysis: Analysis | null, error: string | null): string {
  const text = analysis ? analysis.root_cause : `${status}: ${error ?? "no details"}`;
  return oneLine(text, 200);
}

export function renderResultMarkdown(template: string, result: ResultFile): string {
  const fenced = (text: string | null) => (text === null ? null : { text, fence: fenceFor(text) });
  const { codex, usage } = result;
  return renderTemplate(template, {
    ...result,
    analysis: result.analysis && {
      ...result.analysis,
      recommended_fixes: result.analysis.recommended_fixes.map((fix) => ({
        ...fix,
        has_files: fix.files.length > 0,
        files_list: fix.files.map((f) => `\`${f}\``).join(", "),
        code: fenced(fix.code),
      })),
      code_examples: result.analysis.code_examples.map((ex) => ({ ...ex, fence: fenceFor(ex.code) })),
    },
    patch: fenced(result.patch),
    raw_reply: fenced(result.raw_reply),
    has_warnings: result.warnings.length > 0,
    codex_line: [`version ${codex.version ?? "unknown"}`, codex.model && `model ${codex.model}`, `sandbox ${codex.sandbox}`, codex.thread_id && `thread ${codex.thread_id}`, codex.exit_code !== null && `exit ${codex.exit_code}`]
      .filter(Boolean)
      .join(", "),
    usage_line: usage
      ? `${usage.input_tokens} in (${usage.cached_input_tokens} cached), ${usage.output_tokens} out (${usage.reasoning_output_tokens} reasoning)` +
        (usage.cost_usd === null ? "" : `, about $${usage.cost_usd.toFixed(4)} at [budget.prices]`)
      : "not reported",
  });
}

/** Write .md then .json (the commit point), each atomically, redacted. */
export async function writeResult(layout: Layout, result: ResultFile, redactor: Redactor): Promise<ResultFile> {
  const safe = redactor.redactDeep(result);
  const template = await loadTemplate("result.md", layout.templates);
  await writeFileAtomic(layout.result(safe.id, "md"), renderResultMarkdown(template, safe), layout.tmp);
  await writeFileAtomic(layout.result(safe.id, "json"), `${JSON.stringify(safe, null, 2)}\n`, layout.tmp);
  return safe;
}

/** The RESULT .json of a request, or undefined while it has none (or it is unreadable). */
export async function readResult(layout: Layout, id: string): Promise<ResultFile | undefined> {
  let text: string;
  try {
    text = await readFile(layout.result(id, "json"), "utf8");
  } catch {
    return undefined; // no RESULT yet
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined; // not a RESULT we wrote (ours are renamed into place whole)
  }
  const parsed = ResultFile.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
