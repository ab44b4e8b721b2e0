// The daily digest's Markdown (out/digest-YYYY-MM-DD.md) from what the daemon gathered: the runs
// that finished in the period with their outcomes, tokens and cost, the failures still open and
// the patch branches awaiting merge. Pure; the template is templates/digest.md.
import type { ResultFile } from "../protocol/result.js";
import { oneLine } from "../util/one-line.js";
import { inlineCode } from "./report-text.js";
import { renderTemplate } from "./templates.js";

export interface DigestRun {
  readonly result: ResultFile;
  /** The request's `requested_by`, when it said. */
  readonly requestedBy: string | undefined;
}

export interface DigestInput {
  readonly day: string;
  readonly from: Date;
  readonly to: Date;
  /** Finished in [from, to), oldest first. */
  readonly runs: readonly DigestRun[];
  readonly openFailures: readonly ResultFile[];
  readonly patches: readonly { branch: string; subject: string }[];
  /** The branch the patches would merge into. */
  readonly head: string;
}

export function renderDigest(template: string, input: DigestInput): string {
  const usages = input.runs.map(({ result }) => result.usage);
  const sum = (pick: (usage: NonNullable<ResultFile["usage"]>) => number) => usages.reduce((total, usage) => total + (usage ? pick(usage) : 0), 0);
  const costs = usages.map((usage) => usage?.cost_usd ?? null);
  const unpriced = costs.filter((cost) => cost === null).length;
  const priced = costs.reduce<number>((total, cost) => total + (cost ?? 0), 0);
  const outcomes = new Map<string, number>();
  for (const { result } of input.runs) outcomes.set(result.status, (outcomes.get(result.status) ?? 0) + 1);
  return renderTemplate(template, {
    day: input.day,
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    run_count: input.runs.length,
    input_tokens: sum((usage) => usage.input_tokens),
    output_tokens: sum((usage) => usage.output_tokens),
    tokens: sum((usage) => usage.input_tokens + usage.output_tokens),
    cost: input.runs.length === 0 ? usd(0) : unpriced === input.runs.length ? "not priced" : `${usd(priced)}${unpriced > 0 ? ` (${unpriced} run(s) not priced)` : ""}`,
    outcomes: [...outcomes].map(([status, count]) => ({ status, count })),
    has_runs: input.runs.length > 0,
    runs: input.runs.map(({ result, requestedBy }) => ({
      id: result.id,
      kind: result.kind,
      requested_by: cell(requestedBy ?? "(not said)"),
      outcome: cell(result.error ? `${result.status} (${result.error.code})` : result.status),
      input_tokens: result.usage?.input_tokens ?? 0,
      output_tokens: result.usage?.output_tokens ?? 0,
      cost: result.usage?.cost_usd == null ? "not priced" : usd(result.usage.cost_usd),
    })),
    failures: input.openFailures.map((result) => ({
      id: result.id,
      kind: result.kind,
      status: result.status,
      finished_at: result.timing.finished_at,
      error: result.error ? `${inlineCode(result.error.code)} ${oneLine(result.error.message, 300)}` : "(no error recorded)",
    })),
    patches: input.patches.map((patch) => ({ branch: patch.branch, subject: oneLine(patch.subject, 120) })),
    head: input.head,
  });
}

function usd(dollars: number): string {
  return `$${dollars.toFixed(4)}`;
}

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return oneLine(text, 200).replaceAll("|", "\\|");
}
