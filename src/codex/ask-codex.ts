// One Codex turn, the same for every kind: set Codex up (once per request), run it on a prompt
// under an output schema, and hand back the reply checked against that schema, or the RESULT
// fields of a turn that ended otherwise. A run stopped for a requeue throws the signal's Requeue.
import type { KindOutcome, KindRun } from "../context/kind-run.js";
import { codexSetup } from "./codex-setup.js";
import type { SandboxMode } from "./exec-args.js";
import { invokeCodex } from "./invoke-codex.js";
import { outputSchemaFile, parseJsonReply, type ReplySchema } from "./reply-schema.js";
import { Requeue, requeueOf } from "./requeue.js";

export interface AskOptions<T> {
  /** Codex's working root (`-C`): the workspace, or a sandbox worktree for patches. */
  readonly cwd: string;
  readonly sandbox: SandboxMode;
  readonly prompt: string;
  readonly schema: ReplySchema<T>;
  /** Continue this thread (a repair turn) instead of starting a new one. */
  readonly resumeThreadId?: string;
  /** A later turn may resume this one (`resumeThreadId`): Codex keeps its session for it. */
  readonly resumable?: boolean;
}

/** The RESULT fields every turn yields: when Codex started and the tokens it used. */
export type TurnBase = Pick<KindOutcome, "kind" | "startedAt" | "codexMs" | "usage">;

/**
 * `replied`: the reply matched the schema. `invalid`: Codex finished its turn but the reply did
 * not match (the outcome keeps the raw text). `ended`: Codex failed, timed out or was cancelled.
 */
export type Turn<T> =
  | { readonly kind: "replied"; readonly reply: T; readonly base: TurnBase }
  | { readonly kind: "invalid"; readonly base: TurnBase; readonly outcome: KindOutcome }
  | { readonly kind: "ended"; readonly base: TurnBase; readonly outcome: KindOutcome };

export async function askCodex<T>(run: KindRun, options: AskOptions<T>): Promise<Turn<T>> {
  const { ctx } = run;
  const setup = await codexSetup(run);
  run.codex.sandbox = options.sandbox;
  const result = await invokeCodex(ctx, setup, {
    id: run.id,
    cwd: options.cwd,
    sandbox: options.sandbox,
    prompt: options.prompt,
    outputSchemaFile: await outputSchemaFile(ctx, options.schema),
    resumeThreadId: options.resumeThreadId,
    resumable: options.resumable,
    signal: run.signal,
    onSpawn: run.onSpawn,
  });
  const { outcome, state } = result;
  run.codex.thread_id = state.threadId ?? run.codex.thread_id; // a resumed run that failed early names no thread
  run.codex.exit_code = result.exitCode;
  const codexMs = Date.now() - result.startedAt.getTime(); // the same clock as startedAt
  const base: TurnBase = { kind: "finish", startedAt: result.startedAt, codexMs, usage: state.usage && { ...state.usage, cost_usd: null } };
  switch (outcome.kind) {
    case "cancelled":
      if (outcome.shutdown) throw requeueOf(run.signal) ?? new Requeue("shutdown");
      return { kind: "ended", base, outcome: { ...base, status: "cancelled", error: outcome.error } };
    case "timed_out":
      return { kind: "ended", base, outcome: { ...base, status: "timed_out", error: outcome.error } };
    case "failed":
      return { kind: "ended", base, outcome: { ...base, status: "failed", error: outcome.error } };
    case "replied": {
      const reply = parseJsonReply(outcome.message, options.schema.type);
      if (reply.ok) return { kind: "replied", reply: reply.value, base };
      return { kind: "invalid", base, outcome: { ...base, status: "failed", error: reply.error, rawReply: outcome.message } };
    }
  }
}
