// Codex as one request uses it: the binary found, its version read, the login checked and the
// child environment built — once per request, however many turns the request takes.
import { codexHome, needsLogin, readCodexUserConfig } from "../config/codex-user-config.js";
import type { KindRun } from "../context/kind-run.js";
import type { RelayContext } from "../context/relay-context.js";
import type { GatewayReport } from "../protocol/result.js";
import { RelayError } from "../errors.js";
import type { GatewayRoute } from "../gateway/gateway-route.js";
import { readRecording } from "../gateway/replay-source.js";
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

/**
 * What a run of Codex is launched with, found without running anything (a dry run shows it): the
 * binary, the model, the child environment, the provider, and how the gateway would route it.
 */
export interface CodexLaunch {
  readonly bin: string;
  readonly model: string | null;
  readonly env: Record<string, string>;
  readonly provider: ProviderInfo;
  /** The `-c` table pointing Codex at a gateway base URL; null: the run goes direct. */
  readonly route: ((baseUrl: string) => Record<string, unknown>) | null;
  /** Whether Codex must be logged in (no API key for its provider). */
  readonly needsLogin: boolean;
}

export async function codexLaunch(ctx: RelayContext, requestModel: string | undefined): Promise<CodexLaunch> {
  const { config, env } = ctx;
  const codex = resolveCodexBin({ configBin: config.codex.bin, env });
  const model = (config.codex.allow_request_model && requestModel) || config.codex.model || null;
  const userConfig = await readCodexUserConfig(env);
  const childEnv = buildChildEnv(env, {
    passthrough: [...config.codex.env, ...providerEnvKeys(config.codex.config), ...providerEnvKeys(userConfig)],
  });
  const provider = effectiveProvider(config.codex.config, userConfig);
  const route = gatewayPlan(config.gateway.enabled, provider, childEnv, await readCodexAuth(childEnv));
  return { bin: codex.path, model, env: childEnv, provider, route, needsLogin: needsLogin(config.codex.config, userConfig, env) };
}

/** Resolve and check Codex; throws codex_not_found / codex_not_authenticated / budget_exceeded. */
async function prepareCodex(run: KindRun): Promise<CodexSetup> {
  const { ctx } = run;
  const launch = await codexLaunch(ctx, run.request.model);
  const version = await codexVersion(launch.bin);
  if (launch.needsLogin && !(await isLoggedIn(launch.bin, launch.env))) {
    throw new RelayError("codex_not_authenticated", `Codex is not logged in (CODEX_HOME ${codexHome(ctx.env)}) and no API key is set`);
  }
  return { bin: launch.bin, version, model: launch.model, env: launch.env, provider: launch.provider, gateway: await openGateway(run, launch) };
}

// A request starts with nothing sent when the day's cap is spent. A replay always takes the
// gateway (it serves the recording; nothing leaves the machine), and needs no cap.
async function openGateway(run: KindRun, launch: CodexLaunch): Promise<CodexSetup["gateway"]> {
  const { provider } = launch;
  const replayOf = run.request.replayOf;
  const plan = replayOf === undefined ? launch.route : gatewayPlan(true, provider, launch.env, await readCodexAuth(launch.env));
  if (!plan && replayOf === undefined) return null;
  // Loaded here, not with the request path: node:http and the gateway are ~1 MB of an idle daemon's
  // resident set, and a request whose provider takes no gateway never needs them.
  const { gatewayFor } = await import("../gateway/gateway.js");
  if (replayOf !== undefined) {
    if (!plan) throw new RelayError("no_recording", `request ${replayOf} cannot be replayed: Codex's provider here (${describeProvider(provider)}) does not go through the gateway`);
    const replay = await readRecording(run.ctx.layout.recording(replayOf), replayOf);
    const gateway = await gatewayFor(run.ctx);
    const route = gateway.open({ id: run.id, kind: run.request.kind, upstream: `recording:${replayOf}`, provider: `the recording of ${replayOf}`, replay });
    return { route, config: plan(gateway.baseUrl(route)), close: () => gateway.close(route) };
  }
  if (!plan) return null;
  const gateway = await gatewayFor(run.ctx);
  const refused = await gateway.dailyRefusal();
  if (refused) throw refused;
  const route = gateway.open({ id: run.id, kind: run.request.kind, upstream: provider.baseUrl, provider: describeProvider(provider) });
  return { route, config: plan(gateway.baseUrl(route)), close: () => gateway.close(route) };
}
