// One request's way through the gateway: its secret path, its upstream, the meter of its calls
// and the error that ends its run when the gateway refuses or the upstream fails for good.
import { randomBytes } from "node:crypto";
import type { RelayError } from "../errors.js";
import type { GatewayReport } from "../protocol/result.js";
import type { RedactionTally } from "../security/redact.js";
import type { RequestCap } from "./budget.js";
import type { Recorder } from "./recorder.js";
import type { ReplaySource } from "./replay-source.js";
import { addTokens, NO_TOKENS, type CallTokens } from "./sse-usage.js";

export type CallRecord = GatewayReport["calls"][number];

/** A finished model call as the request's event log tells it: its number and what was redacted, by kind. */
export interface CallEvent extends CallRecord {
  readonly call: number;
  readonly redacted_kinds: Readonly<Record<string, number>>;
}

export class GatewayRoute {
  /** The path segment only this run's Codex knows (`/r/<secret>/…`). */
  readonly secret = randomBytes(18).toString("base64url");
  readonly id: string;
  /** The request's kind (analysis, diagnose, patch, micro), for the day's per-kind totals. */
  readonly kind: string;
  /** The provider's real base_url, where calls are forwarded. */
  readonly upstream: string;
  /** The provider as messages name it (`provider "mock" at http://…/v1`). */
  readonly provider: string;
  readonly cap: RequestCap | null;
  /** Where this run's calls are recorded (null: not recorded). */
  readonly recorder: Recorder | null;
  /** The recording served instead of the upstream (`codex-relay replay`); null: calls go upstream. */
  readonly replay: ReplaySource | null;
  readonly calls: CallRecord[] = [];
  readonly totals: CallTokens = { ...NO_TOKENS };
  readonly tally: RedactionTally = new Map();
  #fatal: RelayError | null = null;
  /** The provider's last 5xx of this turn, in its own words (Codex would say only "high demand"). */
  lastServerError: RelayError | null = null;
  #turn = new AbortController();
  /** Told the request's running totals after each metered call (the event log's `relay.usage`). */
  onRecord: ((totals: Readonly<CallTokens>) => void) | undefined;
  #onCall: ((event: CallEvent) => void) | undefined;
  #numbered = 0;

  constructor(options: { id: string; kind: string; upstream: string; provider: string; cap: RequestCap | null; recorder?: Recorder | null; replay?: ReplaySource | null }) {
    this.id = options.id;
    this.kind = options.kind;
    this.provider = options.provider;
    this.upstream = options.upstream.replace(/\/+$/, "");
    this.cap = options.cap;
    this.recorder = options.recorder ?? null;
    this.replay = options.replay ?? null;
  }

  /** Start a Codex turn: its signal aborts when the gateway ends the run; `onCall` hears each finished call. */
  beginTurn(onCall?: (event: CallEvent) => void): AbortSignal {
    this.#fatal = null;
    this.lastServerError = null;
    this.#onCall = onCall;
    this.#turn = new AbortController();
    return this.#turn.signal;
  }

  /** The next call's number (1, 2, …), over all turns of the request. */
  nextCall(): number {
    return (this.#numbered += 1);
  }

  /** Why the gateway ended the current turn, if it did. */
  get fatal(): RelayError | null {
    return this.#fatal;
  }

  /** End the current turn with `error` (the first error wins); Codex is stopped through the turn's signal. */
  fail(error: RelayError): void {
    if (this.#fatal) return;
    this.#fatal = error;
    this.#turn.abort("cancelled");
  }

  record(event: CallEvent): void {
    const { call: _number, redacted_kinds: _kinds, ...call } = event;
    this.calls.push(call);
    addTokens(this.totals, call);
    this.onRecord?.(this.totals);
    this.#onCall?.(event);
  }

  report(): GatewayReport {
    const kinds = Object.fromEntries([...this.tally].sort(([a], [b]) => a.localeCompare(b)));
    return {
      upstream: this.upstream,
      calls: [...this.calls],
      totals: { ...this.totals, calls: this.calls.length },
      redacted: { count: Object.values(kinds).reduce((sum, n) => sum + n, 0), kinds },
    };
  }
}
