// Codex's final message after patching: the commit it proposes and why each file changed. The
// daemon, not Codex, makes the commit from it after verification.
import { z } from "zod";
import { strictJsonSchema } from "./result.js";

export const COMMIT_TYPES = ["fix", "feat", "refactor", "test", "docs", "perf", "chore", "style", "build", "ci"] as const;

// Strict objects, every key required: the Responses API rejects optional keys and open objects.
export const PatchReply = z.strictObject({
  summary: z.string(),
  commit: z.strictObject({
    type: z.enum(COMMIT_TYPES),
    scope: z.string(),
    subject: z.string(),
    body: z.string(),
  }),
  files: z.array(z.strictObject({ path: z.string(), rationale: z.string() })),
  rationale: z.string(),
});
export type PatchReply = z.infer<typeof PatchReply>;

/** The strict JSON schema given to `codex exec --output-schema` for a patch run. */
export function patchReplyJsonSchema(): Record<string, unknown> {
  return strictJsonSchema(PatchReply);
}
