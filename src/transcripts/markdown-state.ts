// Validation of a saved MarkdownState (outside input: it comes back from the offsets file).
import { z } from "zod";
import type { MarkdownState } from "./phrase.js";

export const MarkdownStateSchema: z.ZodType<MarkdownState> = z.object({
  fence: z.object({ marker: z.enum(["`", "~"]), length: z.number().int().min(3) }).optional(),
  quote: z.boolean(),
});
