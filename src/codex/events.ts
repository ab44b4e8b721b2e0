// The JSONL events of `codex exec --json`, as zod schemas. Outside input: every line is checked,
// and an event type we do not know is kept as `unknown` rather than failing the run.
import { z } from "zod";
import { isReconnectMessage } from "./reconnect.js";

const ItemEvent = z.object({
  type: z.enum(["item.started", "item.updated", "item.completed"]),
  item: z.looseObject({ id: z.string().optional(), type: z.string(), text: z.string().optional() }),
});

const KnownEvent = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("thread.started"), thread_id: z.string() }),
  z.looseObject({ type: z.literal("turn.started") }),
  z.looseObject({
    type: z.literal("turn.completed"),
    usage: z
      .looseObject({
        input_tokens: z.number().default(0),
        cached_input_tokens: z.number().default(0),
        output_tokens: z.number().default(0),
        reasoning_output_tokens: z.number().default(0),
      })
      .optional(),
  }),
  z.looseObject({ type: z.literal("turn.failed"), error: z.looseObject({ message: z.string() }) }),
  z.looseObject({ type: z.literal("error"), message: z.string() }),
  ItemEvent.extend({ type: z.literal("item.started") }).loose(),
  ItemEvent.extend({ type: z.literal("item.updated") }).loose(),
  ItemEvent.extend({ type: z.literal("item.completed") }).loose(),
]);

export type CodexEvent = z.infer<typeof KnownEvent> | { type: "unknown"; raw: unknown };

/**
 * Codex's "Reconnecting... waiting for network (…)" / "Reconnecting... 2/5 (…)" events: progress of
 * the connection to the provider, not of the work, so they never count as a sign of life.
 */
export function isReconnect(event: CodexEvent): event is Extract<CodexEvent, { type: "error" }> {
  return event.type === "error" && isReconnectMessage(event.message);
}

/** One stdout line as an event; lines that are not JSON objects come back as `unknown`. */
export function parseEventLine(line: string): CodexEvent | undefined {
  const trimmed = line.trim();
  if (!trimmed) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch {
    return { type: "unknown", raw: trimmed };
  }
  const parsed = KnownEvent.safeParse(raw);
  return parsed.success ? parsed.data : { type: "unknown", raw };
}
