// Everything one process needs to handle requests for one workspace, built once: the frozen
// config, the protocol layout, the environment, the redactor, the logger and a clock.
import { mkdir } from "node:fs/promises";
import { readCodexUserConfig } from "../config/codex-user-config.js";
import { loadConfig } from "../config/load-config.js";
import type { Config } from "../config/schema.js";
import { layoutFor, type Layout } from "../protocol/layout.js";
import { BackgroundTasks } from "../util/background-tasks.js";
import { providerEnvKeys } from "../security/child-env.js";
import { createRedactor, type Redactor } from "../security/redact.js";
import { silentLogger, type Logger } from "./logger.js";

export type Env = Readonly<Record<string, string | undefined>>;

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

// Names whose values are secrets wherever they appear (besides the config's `security.redact_env`).
const SECRET_NAME = /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

export async function createRelayContext(options: {
  workspace: string;
  env: Env;
  logger?: (redactor: Redactor, layout: Layout) => Logger;
  now?: () => Date;
}): Promise<RelayContext> {
  const layout = layoutFor(options.workspace);
  const config = await loadConfig(layout.configFile);
  // Provider keys of any shape (an Azure key looks like nothing in particular) are secrets too.
  const userConfig = await readCodexUserConfig(options.env);
  const envNames = [
    ...Object.keys(options.env).filter((name) => SECRET_NAME.test(name)),
    ...providerEnvKeys(config.codex.config),
    ...providerEnvKeys(userConfig),
    ...config.security.redact_env,
  ];
  const redactor = createRedactor({ env: options.env, envNames });
  await makeFolders(layout);
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
