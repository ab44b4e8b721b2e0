// The RESULT json of PROTOCOL.md §4 (schema `codex-relay/result@1`) and the reply Codex must give
// under --output-schema. One zod source for both, so the strict JSON schema can never drift.
import { z } from "zod";
import { RESULT_SCHEMA_ID } from "./result-schema-id.js";

export { RESULT_SCHEMA_ID };

export const ResultStatus = z.enum(["completed", "failed", "rejected", "cancelled", "timed_out"]);
export type ResultStatus = z.infer<typeof ResultStatus>;

// Strict objects with every key present (optional values are nullable): the Responses API
// rejects a strict output schema that has optional keys or open objects.
export const Analysis = z.strictObject({
  root_cause: z.string(),
  technical_explanation: z.string(),
  recommended_fixes: z.array(
    z.strictObject({
      priority: z.number().int(),
      title: z.string(),
      details: z.string(),
      files: z.array(z.string()),
      code: z.string().nullable(),
    }),
  ),
  code_examples: z.array(z.strictObject({ file: z.string(), language: z.string(), code: z.string() })),
  additional_investigation: z.array(z.string()),
  confidence: z.enum(["high", "medium", "low"]),
});
export type Analysis = z.infer<typeof Analysis>;

/** What Codex's final message must be: the analysis plus an optional proposed diff. */
export const CodexReply = Analysis.extend({ patch: z.string().nullable() });
export type CodexReply = z.infer<typeof CodexReply>;

export const ResultError = z.strictObject({ code: z.string(), message: z.string(), hint: z.string() });
export type ResultError = z.infer<typeof ResultError>;

export const Usage = z.strictObject({
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  output_tokens: z.number(),
  reasoning_output_tokens: z.number(),
  cost_usd: z.number().nullable(),
});
export type Usage = z.infer<typeof Usage>;

const CallTokens = {
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  output_tokens: z.number(),
  reasoning_output_tokens: z.number(),
};

/** What the model gateway saw of a request's model calls: each call, the totals, the redactions. Optional (older RESULTs lack it). */
export const GatewayReport = z.object({
  upstream: z.string(),
  calls: z.array(z.object({ ...CallTokens, status: z.number(), ttfb_ms: z.number().nullable(), total_ms: z.number(), redacted: z.number() })),
  totals: z.object({ ...CallTokens, calls: z.number() }),
  /** Values redacted from outbound request bodies, by kind; never the values. */
  redacted: z.object({ count: z.number(), kinds: z.record(z.string(), z.number()) }),
});
export type GatewayReport = z.infer<typeof GatewayReport>;

/**
 * Who or what let this request run or write, and how (README "Approval levels"). Optional: a run
 * that needed no approval has none. `approved_by` null: the policy stopped and a person must decide.
 */
export const ApprovalRecord = z.object({
  /** The `[approval] level` in force. */
  level: z.string(),
  via: z.enum(["approve marker", "route decision", "delegate policy"]),
  approved_by: z.string().nullable(),
  at: z.string().nullable(),
  /** What was approved (a route decision's sha256, the diagnosis), or why the policy stopped. */
  detail: z.string(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

export const ResultFile = z.object({
  schema: z.literal(RESULT_SCHEMA_ID),
  id: z.string(),
  request: z.string(),
  kind: z.string(),
  status: ResultStatus,
  summary: z.string(),
  analysis: Analysis.nullable(),
  patch: z.string().nullable(),
  warnings: z.array(z.string()),
  error: ResultError.nullable(),
  /** Codex's final message, kept when it did not validate. */
  raw_reply: z.string().nullable(),
  codex: z.object({
    version: z.string().nullable(),
    bin: z.string().nullable(),
    model: z.string().nullable(),
    thread_id: z.string().nullable(),
    sandbox: z.string(),
    exit_code: z.number().nullable(),
  }),
  usage: Usage.nullable(),
  gateway: GatewayReport.optional(),
  approval: ApprovalRecord.optional(),
  /** The request this one replayed (`codex-relay replay`); absent otherwise. */
  replay_of: z.string().optional(),
  timing: z.object({
    detected_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string(),
    duration_ms: z.number(),
    /** Time spent in Codex (every turn of a patch); absent in RESULTs of older versions. */
    codex_ms: z.number().nullable().optional(),
  }),
});
export type ResultFile = z.infer<typeof ResultFile>;

/** The strict JSON schema given to `codex exec --output-schema`. */
export function codexReplyJsonSchema(): Record<string, unknown> {
  return strictJsonSchema(CodexReply);
}

/** A zod schema as the bare, strict JSON schema `--output-schema` takes; throws when not strict. */
export function strictJsonSchema(type: z.ZodType): Record<string, unknown> {
  const schema = z.toJSONSchema(type, { target: "draft-7" }) as Record<string, unknown>;
  delete schema.$schema;
  assertStrict(schema, "$");
  return schema;
}

/** Throws when a JSON schema is not strict (the Responses API rejects it at run time otherwise). */
export function assertStrict(node: unknown, where: string): void {
  if (Array.isArray(node)) return node.forEach((child, i) => assertStrict(child, `${where}[${i}]`));
  if (typeof node !== "object" || node === null) return;
  const record = node as Record<string, unknown>;
  if (record.type === "object") {
    const keys = Object.keys((record.properties ?? {}) as object);
    const required = (record.required ?? []) as string[];
    if (record.additionalProperties !== false || keys.some((k) => !required.includes(k))) {
      throw new Error(`output schema is not strict at ${where}: every object needs additionalProperties:false and all keys required`);
    }
  }
  for (const [key, child] of Object.entries(record)) assertStrict(child, `${where}.${key}`);
}
