// The read-only diagnosis Codex returns under --output-schema (PROTOCOL.md §5), rendered into
// out/codex-diagnosis-*.md. One zod source for the type and the strict JSON schema.
import { z } from "zod";
import { strictJsonSchema } from "./result.js";

// Strict objects, every key required: the Responses API rejects optional keys and open objects.
export const Diagnosis = z.strictObject({
  root_cause: z.string(),
  technical_explanation: z.string(),
  recommended_fix: z.string(),
  files_to_change: z.array(z.strictObject({ path: z.string(), reason: z.string() })),
  /** True when applying the fix needs Codex to write files (a codex-rw route decision). */
  needs_write: z.boolean(),
  risks: z.array(z.string()),
  verification_notes: z.string(),
  confidence: z.enum(["high", "medium", "low"]),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

/** The strict JSON schema given to `codex exec --output-schema` for a diagnosis. */
export function diagnosisJsonSchema(): Record<string, unknown> {
  return strictJsonSchema(Diagnosis);
}
