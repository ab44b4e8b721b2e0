// What `status` and `audit` share: the settings that change how the files read (from
// codex-relay.toml, tolerantly) and the checked `--since`, `--state` and `--kind` flags.
import { RelayError } from "../errors.js";
import { DEFAULT_OBSERVE_SETTINGS, observeSettings, type ObserveSettings } from "../observe/observe-settings.js";
import { isStateKey, FINISHED_STATES, OPEN_STATES } from "../observe/request-record.js";
import type { Layout } from "../protocol/layout.js";
import { REQUEST_KINDS } from "../protocol/request-text.js";
import { parseDuration } from "../util/duration.js";
import type { CliIo } from "./command.js";

/**
 * The workspace's settings, loaded when first needed (from the daemon's config cache when it
 * answers, else through zod and the TOML reader, which cost more than a listing); the defaults,
 * said on stderr, when codex-relay.toml does not validate: a broken config is when a user most
 * needs to see what ran.
 */
export function settingsOf(layout: Layout, io: CliIo): () => Promise<ObserveSettings> {
  return () => loadSettings(layout, io);
}

async function loadSettings(layout: Layout, io: CliIo): Promise<ObserveSettings> {
  try {
    const { loadConfigUsingCache } = await import("../config/cached-config.js");
    return observeSettings((await loadConfigUsingCache(layout.configFile, layout.configCache)).config);
  } catch (error) {
    io.stderr.write(`codex-relay: ${(error as Error).message.split("\n")[0]}; reading with the default settings\n`);
    return DEFAULT_OBSERVE_SETTINGS;
  }
}

/** The start of the `--since` window, or undefined without the flag. */
export function sinceOf(flag: string | undefined, now: Date): Date | undefined {
  return flag === undefined ? undefined : new Date(now.getTime() - parseDuration(flag, "--since"));
}

/** The comma-separated `--state` values, each checked. */
export function statesOf(flag: string | undefined): string[] | undefined {
  const states = listOf(flag);
  const bad = states?.filter((state) => !isStateKey(state));
  if (bad?.length) {
    throw new RelayError("invalid_argument", `--state ${bad.map((s) => JSON.stringify(s)).join(", ")}: not a state`, {
      hint: `Use ${[...OPEN_STATES, ...FINISHED_STATES].join(", ")}, or open / finished (comma-separated for several).`,
    });
  }
  return states;
}

/** The comma-separated `--kind` values, each checked. */
export function kindsOf(flag: string | undefined): string[] | undefined {
  const kinds = listOf(flag);
  const bad = kinds?.filter((kind) => !(REQUEST_KINDS as readonly string[]).includes(kind));
  if (bad?.length) {
    throw new RelayError("invalid_argument", `--kind ${bad.map((s) => JSON.stringify(s)).join(", ")}: not a request kind`, {
      hint: `Use ${REQUEST_KINDS.join(", ")} (comma-separated for several).`,
    });
  }
  return kinds;
}

function listOf(flag: string | undefined): string[] | undefined {
  if (flag === undefined) return undefined;
  return flag.split(",").map((item) => item.trim().toLowerCase()).filter(Boolean);
}
