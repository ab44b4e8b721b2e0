// The plan Codex returns under --output-schema (PROTOCOL.md §5, plans): a change too big for one
// patch, split into ordered small steps, each with its files, the commands that verify it and the
// size it expects. One zod source for the type and the strict JSON schema.
import { z } from "zod";
import { strictJsonSchema } from "./result.js";

// Strict objects, every key required: the Responses API rejects optional keys and open objects.
export const PlanStepReply = z.strictObject({
  title: z.string(),
  /** What to change and why, as a task packet's description. */
  description: z.string(),
  files: z.array(z.strictObject({ path: z.string(), reason: z.string() })),
  /** Commands that prove the step done, one line each (run as argv, without a shell). */
  verification: z.array(z.string()),
  expected_files: z.number(),
  expected_lines: z.number(),
});
export type PlanStepReply = z.infer<typeof PlanStepReply>;

export const PlanReply = z.strictObject({
  title: z.string(),
  summary: z.string(),
  steps: z.array(PlanStepReply),
  risks: z.array(z.string()),
});
export type PlanReply = z.infer<typeof PlanReply>;

/** The strict JSON schema given to `codex exec --output-schema` for a plan. */
export function planJsonSchema(): Record<string, unknown> {
  return strictJsonSchema(PlanReply);
}
