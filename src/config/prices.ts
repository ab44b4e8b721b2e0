// The estimated cost of a request's tokens from `[budget.prices]` (USD per million tokens, per
// model). An estimate: the provider's invoice is the truth; no table, or no row for the model, is
// null, never a guess.
import type { Usage } from "../protocol/result.js";
import type { Config } from "./schema.js";

export type PriceTable = Config["budget"]["prices"];

/** The row for `model`, or the `"*"` row, or undefined. */
export function priceOf(prices: PriceTable, model: string | null): PriceTable[string] | undefined {
  return (model ? prices[model] : undefined) ?? prices["*"];
}

/**
 * USD for `usage` at `model`'s prices, rounded to a millionth of a dollar. Cached input is part of
 * input (as the Responses API counts it) and costs `cached_input` (default: `input`); reasoning is
 * part of output.
 */
export function estimateCostUsd(usage: Omit<Usage, "cost_usd"> | null, model: string | null, prices: PriceTable): number | null {
  const price = priceOf(prices, model);
  if (!usage || !price) return null;
  const cached = Math.min(usage.cached_input_tokens, usage.input_tokens);
  const dollars = ((usage.input_tokens - cached) * price.input + cached * (price.cached_input ?? price.input) + usage.output_tokens * price.output) / 1e6;
  return Math.round(dollars * 1e6) / 1e6;
}
