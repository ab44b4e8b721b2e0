// The one redactor of a workspace, built the same way by every process that writes into it (the
// daemon, `delegate` and its siblings, the editor hooks), so a request is redacted as strictly
// when it is written as the daemon's own files are.
import { loadConfigUsingCache } from "../config/cached-config.js";
import { codexUserEnvKeys, type CodexUserEnvKeys } from "../config/codex-user-config.js";
import type { Config } from "../config/schema.js";
import type { Layout } from "../protocol/layout.js";
import { providerEnvKeys } from "../security/child-env.js";
import { createRedactor, type Redactor } from "../security/redact.js";

export type Env = Readonly<Record<string, string | undefined>>;

// Names whose values are secrets wherever they appear (besides the config's `security.redact_env`).
const SECRET_NAME = /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

/**
 * The redactor for a loaded config: secret shapes plus the values of every secret variable in
 * `env`. Provider keys of any shape (an Azure key looks like nothing in particular) are secrets
 * too: those of the config's providers and of the user's Codex config (`codexUser`, from codexUserEnvKeys).
 */
export function workspaceRedactor(config: Config, env: Env, codexUser: CodexUserEnvKeys): Redactor {
  const envNames = [
    ...secretEnvNames(env),
    ...providerEnvKeys(config.codex.config),
    ...codexUser.names,
    ...config.security.redact_env,
  ];
  return createRedactor({ env, envNames });
}

/** The variables of `env` whose names say they hold secrets. */
export function secretEnvNames(env: Env): string[] {
  return Object.keys(env).filter((name) => SECRET_NAME.test(name));
}

/**
 * The same redactor for a process that has not loaded the config (a CLI command or a hook that
 * only writes a request). An invalid config is an error: without it, which values are secret is unknown.
 */
export async function loadWorkspaceRedactor(layout: Pick<Layout, "configFile" | "configCache">, env: Env): Promise<Redactor> {
  const loaded = await loadConfigUsingCache(layout.configFile, layout.configCache);
  return workspaceRedactor(loaded.config, env, await codexUserEnvKeys(env, loaded.codexUser));
}
