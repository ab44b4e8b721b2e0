// Everything one process needs to handle requests for one workspace, built once: the frozen
// config, the protocol layout, the environment, the redactor, the logger and a clock.
import { mkdir } from "node:fs/promises";
import { loadConfigUsingCache, writeConfigCache } from "../config/cached-config.js";
import { codexUserEnvKeys } from "../config/codex-user-config.js";
import type { Config } from "../config/schema.js";
import { layoutFor, type Layout } from "../protocol/layout.js";
import { BackgroundTasks } from "../util/background-tasks.js";
import type { Redactor } from "../security/redact.js";
import { silentLogger, type Logger } from "./logger.js";
import { workspaceRedactor, type Env } from "./workspace-redactor.js";

export interface RelayContext {
  readonly config: Config;
  readonly layout: Layout;
  readonly env: Env;
  readonly redactor: Redactor;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Audit commits in flight; drained before the process exits. */
  readonly background: BackgroundTasks;
}

export async function createRelayContext(options: {
  workspace: string;
  env: Env;
  logger?: (redactor: Redactor, layout: Layout) => Logger;
  now?: () => Date;
  /** Write nothing, not even the folders (a dry run). */
  readOnly?: boolean;
  /** The daemon: check the config in full and write the cache CLIs read it from (config/cached-config.ts). */
  cacheConfig?: boolean;
}): Promise<RelayContext> {
  const layout = layoutFor(options.workspace);
  const loaded = await loadConfigUsingCache(layout.configFile, options.cacheConfig ? undefined : layout.configCache);
  const config = loaded.config;
  const codexUser = await codexUserEnvKeys(options.env, loaded.codexUser);
  const redactor = workspaceRedactor(config, options.env, codexUser);
  if (!options.readOnly) await makeFolders(layout);
  if (options.cacheConfig && !options.readOnly) await writeConfigCache(layout.configCache, layout.tmp, loaded, codexUser, (text) => redactor.redact(text));
  return Object.freeze({
    config,
    layout,
    env: options.env,
    redactor,
    logger: options.logger?.(redactor, layout) ?? silentLogger,
    now: options.now ?? (() => new Date()),
    background: new BackgroundTasks(),
  });
}

/** The folders the daemon writes in; the sweep calls it again, in case someone removed them. */
export async function makeFolders(layout: Layout): Promise<void> {
  await mkdir(layout.inbox, { recursive: true });
  await mkdir(layout.claims, { recursive: true });
  await mkdir(layout.tmp, { recursive: true });
}
