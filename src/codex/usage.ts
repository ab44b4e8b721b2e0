// Token usage summed over the turns of one request (a patch and its repairs).
import type { GatewayReport, Usage } from "../protocol/result.js";

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

/**
 * The request's usage as the RESULT gives it: the gateway's meter when its calls went through one
 * (every call it passed, those of a turn it cut short at a cap included), else Codex's own count,
 * which has only the turns Codex finished.
 */
export function spentUsage(codexCount: Usage | null, gateway: GatewayReport | null): Usage | null {
  if (!gateway || gateway.totals.calls === 0) return codexCount;
  const { calls: _calls, ...tokens } = gateway.totals;
  return { ...tokens, cost_usd: null };
}
