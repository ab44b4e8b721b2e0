// The token caps of `[budget]` that bind one request, and the error a crossed cap gives. Pure.
import type { Config } from "../config/schema.js";
import { RelayError } from "../errors.js";
import { writesCode } from "../protocol/request-text.js";

export interface RequestCap {
  readonly key: "budget.request_tokens" | "budget.patch_tokens";
  readonly tokens: number;
}

/** The tightest cap on one Codex run of a request of `kind`: patch_tokens binds every kind that writes code (patch, micro, each step of a plan run) too. */
export function requestCap(budget: Config["budget"], kind: string): RequestCap | null {
  const caps: RequestCap[] = [];
  if (budget.request_tokens !== undefined) caps.push({ key: "budget.request_tokens", tokens: budget.request_tokens });
  if (writesCode(kind) && budget.patch_tokens !== undefined) caps.push({ key: "budget.patch_tokens", tokens: budget.patch_tokens });
  return caps.sort((a, b) => a.tokens - b.tokens)[0] ?? null;
}

export function budgetExceeded(key: string, spent: number, cap: number, what: string): RelayError {
  return new RelayError("budget_exceeded", `${what} spent ${spent} tokens of the ${cap} allowed by \`${key}\`; the gateway refused further model calls`, {
    hint: `Raise \`${key}\` in codex-relay.toml, or split the request.`,
  });
}
