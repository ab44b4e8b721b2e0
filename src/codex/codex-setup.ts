// Codex as one request uses it: the binary found, its version read, the login checked and the
// child environment built — once per request, however many turns the request takes.
import { codexHome, needsLogin, readCodexUserConfig } from "../config/codex-user-config.js";
import type { KindRun } from "../context/kind-run.js";
import type { RelayContext } from "../context/relay-context.js";
import { RelayError } from "../errors.js";
import { buildChildEnv, providerEnvKeys } from "../security/child-env.js";
import { codexVersion, isLoggedIn } from "./codex-info.js";
import { effectiveProvider, type ProviderInfo } from "./provider.js";
import { resolveCodexBin } from "./resolve-bin.js";

export interface CodexSetup {
  readonly bin: string;
  readonly version: string | null;
  readonly model: string | null;
  readonly env: Record<string, string>;
  /** The provider Codex talks to, named in connection and HTTP errors. */
  readonly provider: ProviderInfo;
}

const setups = new WeakMap<KindRun, Promise<CodexSetup>>();

/** The request's Codex, prepared on first use and recorded in its RESULT fields (`run.codex`). */
export function codexSetup(run: KindRun): Promise<CodexSetup> {
  let setup = setups.get(run);
  if (!setup) {
    setup = prepareCodex(run.ctx, run.request.model).then((ready) => {
      Object.assign(run.codex, { bin: ready.bin, version: ready.version, model: ready.model });
      return ready;
    });
    setups.set(run, setup);
  }
  return setup;
}

/** Resolve and check Codex; throws codex_not_found / codex_not_authenticated. */
async function prepareCodex(ctx: RelayContext, requestModel: string | undefined): Promise<CodexSetup> {
  const { config, env } = ctx;
  const codex = resolveCodexBin({ configBin: config.codex.bin, env });
  const version = await codexVersion(codex.path);
  const model = (config.codex.allow_request_model && requestModel) || config.codex.model || null;
  const userConfig = await readCodexUserConfig(env);
  const childEnv = buildChildEnv(env, {
    passthrough: [...config.codex.env, ...providerEnvKeys(config.codex.config), ...providerEnvKeys(userConfig)],
  });
  if (needsLogin(config.codex.config, userConfig, env) && !(await isLoggedIn(codex.path, childEnv))) {
    throw new RelayError("codex_not_authenticated", `Codex is not logged in (CODEX_HOME ${codexHome(env)}) and no API key is set`);
  }
  return { bin: codex.path, version, model, env: childEnv, provider: effectiveProvider(config.codex.config, userConfig) };
}
