// Where a request stands, read from the files alone (the daemon keeps no other state).
import { existsSync } from "node:fs";
import { loadConfig } from "../config/load-config.js";
import { readClaim, isStale } from "../daemon/claims.js";
import { daemonRunning } from "../daemon/workspace-lock.js";
import type { Layout } from "../protocol/layout.js";
import { readResult } from "../report/result-file.js";

export type RequestState =
  | `done: ${string}`
  | "running"
  | "orphaned (its daemon died; the next daemon start re-runs it)"
  | "cancel requested"
  | `awaiting approval (\`codex-relay approve ${string}\`)`
  | "queued"
  | "waiting for a daemon (`codex-relay start`, or `codex-relay run` it)"
  | "unknown";

export async function requestState(layout: Layout, id: string): Promise<RequestState> {
  const result = await readResult(layout, id);
  // A diagnosis the delegate policy would not approve is done, but its patch waits for a person.
  if (result?.approval?.approved_by === null) return `done: ${result.status}; awaiting a person: the delegate policy did not approve the patch (see its RESULT)`;
  if (result) return `done: ${result.status}`;
  const claim = await readClaim(layout, id);
  if (claim) return isStale(claim, new Date(), await staleMs(layout)) ? "orphaned (its daemon died; the next daemon start re-runs it)" : "running";
  if (!existsSync(layout.request(id))) return "unknown";
  if (existsSync(layout.cancel(id))) return "cancel requested";
  const config = await loadConfig(layout.configFile).catch(() => undefined);
  if (config?.approval.level === "manual" && !existsSync(layout.approve(id))) return `awaiting approval (\`codex-relay approve ${id}\`)`;
  if (await daemonRunning(layout)) return "queued";
  return "waiting for a daemon (`codex-relay start`, or `codex-relay run` it)";
}

async function staleMs(layout: Layout): Promise<number> {
  const config = await loadConfig(layout.configFile).catch(() => undefined); // status works even with a broken config
  return (config?.daemon.claim_stale_s ?? 60) * 1000;
}
