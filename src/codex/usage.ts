// Token usage summed over the turns of one request (a patch and its repairs).
import type { Usage } from "../protocol/result.js";

export function addUsage(total: Usage | null, more: Usage | null): Usage | null {
  if (!more) return total;
  if (!total) return { ...more, cost_usd: null };
  return {
    input_tokens: total.input_tokens + more.input_tokens,
    cached_input_tokens: total.cached_input_tokens + more.cached_input_tokens,
    output_tokens: total.output_tokens + more.output_tokens,
    reasoning_output_tokens: total.reasoning_output_tokens + more.reasoning_output_tokens,
    cost_usd: null,
  };
}
