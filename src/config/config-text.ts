// codex-relay.toml as text: what both the full check (load-config.ts) and the cache (cached-config.ts) start from.
import { RelayError } from "../errors.js";
import { readIfExists } from "../util/read-if-exists.js";

/** The file's text, or null when there is none; unreadable is a config error. */
export async function readConfigText(configFile: string): Promise<string | null> {
  try {
    return await readIfExists(configFile);
  } catch (error) {
    throw new RelayError("invalid_config", `cannot read ${configFile}: ${(error as Error).message}`, { cause: error });
  }
}
