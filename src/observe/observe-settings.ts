// What of codex-relay.toml changes how a request's files read: whether requests are held for
// approval, when a claim counts as its dead daemon's, and the price table for cost estimates.
import type { PriceTable } from "../config/prices.js";
import type { Config } from "../config/schema.js";

export interface ObserveSettings {
  /** `[approval] required = true`, or `level = "manual"`: every request waits for its APPROVE marker. */
  readonly approvalRequired: boolean;
  /** `daemon.claim_stale_s` in ms. */
  readonly claimStaleMs: number;
  /** `[budget.prices]`. */
  readonly prices: PriceTable;
}

/** The defaults of an empty codex-relay.toml (status still reads a workspace whose config is broken). */
export const DEFAULT_OBSERVE_SETTINGS: ObserveSettings = Object.freeze({ approvalRequired: false, claimStaleMs: 60_000, prices: {} });

/**
 * Settings, or a way to get them: a listing asks only when a record needs them (an open request,
 * a RESULT without its own cost), so `status` over finished requests never loads the config.
 */
export type SettingsSource = ObserveSettings | (() => Promise<ObserveSettings>);

/** A memoized getter of `source` (the defaults when absent). */
export function settingsGetter(source: SettingsSource | undefined): () => Promise<ObserveSettings> {
  if (source === undefined) return async () => DEFAULT_OBSERVE_SETTINGS;
  if (typeof source !== "function") return async () => source;
  let loaded: Promise<ObserveSettings> | undefined;
  return () => (loaded ??= source());
}

export function observeSettings(config: Config): ObserveSettings {
  return {
    // The config resolves the older `required = true` to `level = "manual"`.
    approvalRequired: config.approval.level === "manual",
    claimStaleMs: config.daemon.claim_stale_s * 1000,
    prices: config.budget.prices,
  };
}
