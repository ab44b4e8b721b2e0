// What every bench section shares: the row type, the workspace config that points Codex at the
// scripted model server, an incremental reader of the daemon's log, /proc memory figures, polling
// and medians. Never a test: nothing here fails on a timing.
import { execFileSync } from "node:child_process";
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { codexBinary, MOCK_ENV_KEY } from "../tests/fixtures/codex-home.js";

export interface Row {
  metric: string;
  value: string;
  target: string;
}

export type LogEvent = Record<string, unknown> & { event?: string; id?: string; at?: string };

/** codex-relay.toml for a bench workspace: Codex talks to the model server at `url`; `extra` is appended. */
export function workspaceToml(url: string, extra = ""): string {
  return `[codex]
bin = ${JSON.stringify(codexBinary())}
model = "gpt-5.5"
[codex.config]
model_provider = "mock"
[codex.config.features]
shell_snapshot = false
plugins = false
[codex.config.model_providers.mock]
name = "mock"
base_url = ${JSON.stringify(url)}
env_key = "${MOCK_ENV_KEY}"
wire_api = "responses"
supports_websockets = false
request_max_retries = 0
stream_max_retries = 0
[audit]
enabled = true
${extra}`;
}

/** Makes `ws` a git workspace whose config points Codex at `url`; its inbox, and a staging folder for atomic drops. */
export async function delegationWorkspace(ws: string, url: string): Promise<{ inbox: string; staging: string }> {
  execFileSync("git", ["init", "-q", ws]);
  await writeFile(path.join(ws, "codex-relay.toml"), workspaceToml(url));
  const inbox = path.join(ws, ".autonomous_runs/codex_delegations");
  const staging = path.join(ws, ".autonomous_runs/.relay/bench-staging");
  await mkdir(inbox, { recursive: true });
  await mkdir(staging, { recursive: true });
  return { inbox, staging };
}

/** The daemon's JSON log, read incrementally so that polling it costs the machine next to nothing. */
export class LogReader {
  #offset = 0;
  #rest = "";
  readonly #events: LogEvent[] = [];
  constructor(readonly file: string) {}

  events(): LogEvent[] {
    let chunk: Buffer;
    try {
      const fd = openSync(this.file, "r");
      try {
        const buffer = Buffer.alloc(Math.max(0, fstatSync(fd).size - this.#offset));
        chunk = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, this.#offset));
        this.#offset += chunk.length;
      } finally {
        closeSync(fd);
      }
    } catch {
      return this.#events; // not written yet
    }
    const lines = (this.#rest + chunk.toString("utf8")).split("\n");
    this.#rest = lines.pop() ?? "";
    for (const line of lines) if (line) this.#events.push(JSON.parse(line) as LogEvent);
    return this.#events;
  }
}

/** A process's resident and peak memory in bytes, from /proc. */
export function procStatus(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

export async function waitFor(check: () => boolean, timeoutMs: number, everyMs = 5, what?: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`bench: timed out after ${timeoutMs} ms${what ? ` waiting for ${what()}` : ""}`);
    await delay(everyMs);
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** The p-th percentile (nearest rank), to 0.1. */
export function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] ?? NaN) * 10) / 10;
}

export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
