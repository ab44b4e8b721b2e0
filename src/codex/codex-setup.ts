// Codex as one request uses it: the binary found, its version read, the login checked and the
// child environment built — once per request, however many turns the request takes.
import { codexHome, needsLogin, readCodexUserConfig } from "../config/codex-user-config.js";
import type { KindRun } from "../context/kind-run.js";
import type { GatewayReport } from "../protocol/result.js";
import { RelayError } from "../errors.js";
import type { GatewayRoute } from "../gateway/gateway-route.js";
import { buildChildEnv, providerEnvKeys } from "../security/child-env.js";
import { codexVersion, isLoggedIn } from "./codex-info.js";
import { gatewayPlan } from "./gateway-plan.js";
import { readCodexAuth } from "./codex-info.js";
import { describeProvider, effectiveProvider, type ProviderInfo } from "./provider.js";
import { resolveCodexBin } from "./resolve-bin.js";

export interface CodexSetup {
  readonly bin: string;
  readonly version: string | null;
  readonly model: string | null;
  readonly env: Record<string, string>;
  /** The provider Codex talks to, named in connection and HTTP errors. */
  readonly provider: ProviderInfo;
  /** The gateway route this request's calls take, and the `-c` table that points Codex at it; null: direct. */
  readonly gateway: { readonly route: GatewayRoute; readonly config: Record<string, unknown>; close(): void } | null;
}

const setups = new WeakMap<KindRun, Promise<CodexSetup>>();
const routes = new WeakMap<KindRun, NonNullable<CodexSetup["gateway"]>>();

/** The request's Codex, prepared on first use and recorded in its RESULT fields (`run.codex`). */
export function codexSetup(run: KindRun): Promise<CodexSetup> {
  let setup = setups.get(run);
  if (!setup) {
    setup = prepareCodex(run).then((ready) => {
      Object.assign(run.codex, { bin: ready.bin, version: ready.version, model: ready.model });
      if (ready.gateway) routes.set(run, ready.gateway);
      return ready;
    });
    setups.set(run, setup);
  }
  return setup;
}

/** The gateway's meter of the request's calls, for its RESULT; the route closes (the request is done). */
export function endGatewayRoute(run: KindRun): GatewayReport | null {
  const open = routes.get(run);
  if (!open) return null;
  routes.delete(run);
  open.close();
  return open.route.report();
}

/** Resolve and check Codex; throws codex_not_found / codex_not_authenticated / budget_exceeded. */
async function prepareCodex(run: KindRun): Promise<CodexSetup> {
  const { ctx } = run;
  const requestModel = run.request.model;
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
  const provider = effectiveProvider(config.codex.config, userConfig);
  return { bin: codex.path, version, model, env: childEnv, provider, gateway: await openGateway(run, provider, childEnv) };
}

// A request starts with nothing sent when the day's cap is spent.
async function openGateway(run: KindRun, provider: ProviderInfo, childEnv: Record<string, string>): Promise<CodexSetup["gateway"]> {
  const plan = gatewayPlan(run.ctx.config.gateway.enabled, provider, childEnv, await readCodexAuth(childEnv));
  if (!plan) return null;
  // Loaded here, not with the request path: node:http and the gateway are ~1 MB of an idle daemon's
  // resident set, and a request whose provider takes no gateway never needs them.
  const { gatewayFor } = await import("../gateway/gateway.js");
  const gateway = await gatewayFor(run.ctx);
  const refused = await gateway.dailyRefusal();
  if (refused) throw refused;
  const route = gateway.open({ id: run.id, kind: run.request.kind, upstream: provider.baseUrl, provider: describeProvider(provider) });
  return { route, config: plan(gateway.baseUrl(route)), close: () => gateway.close(route) };
}
