// Where a request stands, read from the files alone (the daemon keeps no other state).
import { existsSync } from "node:fs";
import { readClaim, isStale } from "../daemon/claims.js";
import type { Layout } from "../protocol/layout.js";
import { readResult } from "../report/result-file.js";

export type RequestState =
  | `done: ${string}`
  | "running"
  | "orphaned (its daemon died; the next daemon start re-runs it)"
  | "cancel requested"
  | "queued (or awaiting `codex-relay approve` when approval is required)"
  | "waiting for a daemon (`codex-relay start`, or `codex-relay run` it)"
  | "unknown";

export async function requestState(layout: Layout, id: string): Promise<RequestState> {
  const result = await readResult(layout, id);
  if (result) return `done: ${result.status}`;
  const claim = await readClaim(layout, id);
  if (claim) return isStale(claim, new Date(), 60_000) ? "orphaned (its daemon died; the next daemon start re-runs it)" : "running";
  if (!existsSync(layout.request(id))) return "unknown";
  if (existsSync(layout.cancel(id))) return "cancel requested";
  if (existsSync(layout.lockFile)) return "queued (or awaiting `codex-relay approve` when approval is required)";
  return "waiting for a daemon (`codex-relay start`, or `codex-relay run` it)";
}
