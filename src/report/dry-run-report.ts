// What a dry run (`--dry-run`) found a request would do, as data (`--json`) and as text for people,
// rendered from the `dry-run.md` template. Pure.
import { fenceFor } from "../protocol/code-fence.js";
import { renderTemplate } from "./templates.js";

export interface DryRunTurn {
  readonly sandbox: string;
  readonly cwd: string;
  readonly model: string | null;
  /** The provider and where its calls would go (the gateway, or direct). */
  readonly provider: string;
  /** The whole command: the codex binary, then its arguments (the prompt last, after `--`). */
  readonly argv: readonly string[];
  /** Names only, never values. */
  readonly env_names: readonly string[];
  readonly prompt: string;
  readonly output_schema_file: string;
  readonly output_schema: Record<string, unknown>;
  readonly files: readonly { readonly path: string; readonly bytes: number; readonly embedded_bytes: number; readonly truncated: boolean }[];
  /** Each listed file not embedded, with the reason. */
  readonly refused: readonly string[];
  readonly estimate: {
    readonly prompt_bytes: number;
    readonly input_tokens: number;
    /** How the token count is estimated. */
    readonly method: string;
    /** USD for those input tokens at `[budget.prices]`; null without a price for the model. */
    readonly cost_usd: number | null;
  };
}

export interface DryRunReport {
  readonly dry_run: true;
  /** The id the request would get (the first free one of this second). */
  readonly id: string;
  readonly kind: string;
  /** One sentence: what processing the request would do. */
  readonly what: string;
  /** Why it would be refused before Codex runs (missing prerequisites, too large); null: it would run. */
  readonly rejected: string | null;
  /** The first Codex turn; null when it would be refused first. */
  readonly turn: DryRunTurn | null;
  readonly notes: readonly string[];
}

export function renderDryRun(template: string, report: DryRunReport): string {
  const turn = report.turn;
  const schema = turn ? JSON.stringify(turn.output_schema, null, 2) : "";
  return renderTemplate(template, {
    ...report,
    turn: turn && {
      ...turn,
      model: turn.model ?? "Codex's default",
      schema_file: turn.output_schema_file,
      // The prompt is the last argument; shown once, in full, below (`--json` keeps it in argv).
      argv: turn.argv.map((arg, i) => (i === turn.argv.length - 1 ? `<the prompt below: ${turn.estimate.prompt_bytes} bytes>` : JSON.stringify(arg))),
      prompt_bytes: turn.estimate.prompt_bytes,
      input_tokens: turn.estimate.input_tokens,
      token_method: turn.estimate.method,
      cost: turn.estimate.cost_usd === null ? "unknown (no [budget.prices] row for this model)" : `$${turn.estimate.cost_usd} for the prompt's input tokens (output not counted)`,
      schema,
      fence: fenceFor(`${turn.prompt}\n${schema}`),
    },
    has_notes: report.notes.length > 0,
  });
}
