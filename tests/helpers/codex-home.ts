// What a test needs to run the REAL codex binary against the mock model server: a throwaway
// CODEX_HOME (so the user's ~/.codex config and auth never leak in), the `-c` overrides that point
// codex at the server, and the path of the native binary shipped in node_modules.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { bundledCodexBinary } from "../../src/codex/resolve-bin.js";

/** The env var codex reads the mock provider's API key from (sent as `authorization: Bearer …`). */
export const MOCK_ENV_KEY = "MOCK_MODEL_KEY";
export const MOCK_API_KEY = "mock-model-key";

/**
 * A fresh CODEX_HOME under os.tmpdir(). Under /tmp codex 0.169.0 prints to stderr
 * `WARNING: proceeding, even though we could not create PATH aliases: Refusing to create helper
 * binaries under temporary dir "/tmp"` and carries on: the aliases only let shell commands call
 * `apply_patch` as a program; the apply_patch tool itself still works. Elsewhere (e.g. /var/tmp) no warning.
 */
export async function makeCodexHome(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "codex-relay-home-"));
  return {
    dir,
    cleanup: () => rm(dir, { recursive: true, force: true, maxRetries: 3 }),
  };
}

export interface ProviderOverrideOptions {
  /** How long codex waits for the next SSE event before failing the turn (codex's default is minutes). */
  streamIdleTimeoutMs?: number;
}

/**
 * The values of the `-c` flags that send codex's model traffic to `server` (pass each after its own `-c`).
 * Retries are off so an http_error reply fails the turn at once; shell snapshots and plugins are
 * off because they add startup work and network lookups that tests do not want.
 */
export function codexProviderOverrides(server: { url: string }, options: ProviderOverrideOptions = {}): string[] {
  const provider = [
    `name="mock"`,
    `base_url=${JSON.stringify(server.url)}`,
    `env_key="${MOCK_ENV_KEY}"`,
    `wire_api="responses"`,
    `supports_websockets=false`,
    `request_max_retries=0`,
    `stream_max_retries=0`,
  ];
  if (options.streamIdleTimeoutMs !== undefined) provider.push(`stream_idle_timeout_ms=${options.streamIdleTimeoutMs}`);
  return [
    `model_provider="mock"`,
    `model_providers.mock={${provider.join(",")}}`,
    "features.shell_snapshot=false",
    "features.plugins=false",
  ];
}

/** The env a test gives codex: the inherited env plus the throwaway home and the mock key. */
export function codexTestEnv(codexHome: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, CODEX_HOME: codexHome, [MOCK_ENV_KEY]: MOCK_API_KEY };
}

/** Path of the native codex binary installed in node_modules (spawned directly, not via the node shim). */
export function codexBinary(): string {
  const bin = bundledCodexBinary();
  if (!bin) throw new Error(`codex-home: no codex binary package for ${process.platform}-${process.arch}`);
  return bin;
}
