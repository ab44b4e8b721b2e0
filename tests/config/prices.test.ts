import { describe, expect, it } from "vitest";
import { estimateCostUsd, priceOf } from "../../src/config/prices.js";
import { resolveConfig } from "../../src/config/load-config.js";

const usage = { input_tokens: 1_000_000, cached_input_tokens: 400_000, output_tokens: 20_000, reasoning_output_tokens: 5_000 };

describe("estimateCostUsd", () => {
  it("charges uncached input, cached input and output (reasoning inside output) at the model's row", () => {
    const prices = { "gpt-5.5": { input: 1.25, cached_input: 0.125, output: 10 } };
    expect(estimateCostUsd(usage, "gpt-5.5", prices)).toBe(0.75 + 0.05 + 0.2);
  });

  it("charges cached input at the input price when the row has no cached_input", () => {
    expect(estimateCostUsd(usage, "m", { m: { input: 1, output: 0 } })).toBe(1);
  });

  it("falls back to the \"*\" row, and is null without a row or without usage", () => {
    expect(priceOf({ "*": { input: 1, output: 1 } }, null)).toEqual({ input: 1, output: 1 });
    expect(estimateCostUsd(usage, "other", { "*": { input: 0, output: 1 } })).toBe(0.02);
    expect(estimateCostUsd(usage, "other", { m: { input: 1, output: 1 } })).toBeNull();
    expect(estimateCostUsd(null, "m", { m: { input: 1, output: 1 } })).toBeNull();
  });
});

describe("[budget.prices]", () => {
  it("defaults to no table, and names the key of a negative price", () => {
    expect(resolveConfig({}).budget.prices).toEqual({});
    expect(() => resolveConfig({ budget: { prices: { m: { input: -1, output: 1 } } } })).toThrow(/budget\.prices\.m\.input/);
  });
});
