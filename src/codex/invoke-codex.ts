// Running Codex for one request, shared by every kind (analysis, diagnose, patch, micro): find
// the binary, check the login, build the argv, stream redacted events into the request's LOG file.
import { createWriteStream } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { codexHome, needsLogin, readCodexUserConfig } from "../config/codex-user-config.js";
import { codexVersion, isLoggedIn } from "./codex-info.js";
import { configOverrideArgs } from "./config-overrides.js";
import { buildExecArgs, type SandboxMode } from "./exec-args.js";
import { effectiveProvider, type ProviderInfo } from "./provider.js";
import { relayCodexConfig } from "./relay-features.js";
import { resolveCodexBin } from "./resolve-bin.js";
import { isReconnect } from "./events.js";
import { runCodex, type RunCodexResult } from "./run-codex.js";
import { RelayError } from "../errors.js";
import { buildChildEnv, providerEnvKeys } from "../security/child-env.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import type { KindOutcome, KindRun } from "../context/kind-run.js";
import type { RelayContext } from "../context/relay-context.js";

export interface CodexSetup {
  readonly bin: string;
  readonly version: string | null;
  readonly model: string | null;
  readonly env: Record<string, string>;
  readonly provider: ProviderInfo;
}

/** Resolve and check Codex once per request; throws codex_not_found / codex_not_authenticated. */
export async function prepareCodex(ctx: RelayContext, requestModel: string | undefined): Promise<CodexSetup> {
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

export interface InvokeOptions {
  readonly id: string;
  /** Codex's working root (`-C`): the workspace, or a sandbox worktree for patches. */
  readonly cwd: string;
  readonly sandbox: SandboxMode;
  readonly prompt: string;
  readonly outputSchemaFile: string;
  readonly resumeThreadId?: string;
  readonly skipGitRepoCheck: boolean;
  readonly signal?: AbortSignal;
  readonly onSpawn?: (pid: number) => void;
}

export async function invokeCodex(ctx: RelayContext, setup: CodexSetup, options: InvokeOptions): Promise<RunCodexResult> {
  const { id } = options;
  const args = buildExecArgs({
    workspace: options.cwd,
    sandbox: options.sandbox,
    prompt: options.prompt,
    outputSchemaFile: options.outputSchemaFile,
    model: setup.model ?? undefined,
    profile: ctx.config.codex.profile || undefined,
    configArgs: configOverrideArgs(relayCodexConfig(ctx.config.codex.config)),
    resumeThreadId: options.resumeThreadId,
    skipGitRepoCheck: options.skipGitRepoCheck,
  });
  const eventLog = createWriteStream(ctx.layout.log(id), { flags: "a" });
  let reconnects = 0;
  try {
    const run = await runCodex({
      bin: setup.bin,
      args,
      cwd: options.cwd,
      env: setup.env,
      limits: { ...ctx.config.watchdog, unreachable_s: ctx.config.codex.unreachable_s },
      provider: setup.provider,
      signal: options.signal,
      onSpawn: (pid) => {
        options.onSpawn?.(pid);
        ctx.logger.log("info", "codex started", { id, pid, version: setup.version, model: setup.model, sandbox: options.sandbox });
      },
      onEvent: (event) => {
        eventLog.write(`${JSON.stringify(ctx.redactor.redactDeep(event.type === "unknown" ? event.raw : event))}\n`);
        if (isReconnect(event)) {
          reconnects += 1;
          ctx.logger.log("warn", "provider unreachable, reconnecting", { id, attempt: reconnects, provider: setup.provider.name, base_url: setup.provider.baseUrl, message: ctx.redactor.redact(event.message) });
        }
        if (event.type === "item.completed" || event.type === "turn.completed" || event.type === "thread.started") {
          ctx.logger.log("info", "progress", { id, codex_event: event.type, item: event.type === "item.completed" ? event.item.type : undefined });
        }
      },
    });
    ctx.logger.log("info", "codex finished", { id, outcome: run.outcome.kind, exit: run.exitCode, ms: Date.now() - run.startedAt.getTime() });
    if (run.state.unknownEvents > 0) ctx.logger.log("warn", "unknown events", { id, count: run.state.unknownEvents });
    return run;
  } finally {
    await new Promise<void>((resolve) => eventLog.end(resolve));
  }
}

/** Codex's final message checked against the schema it was given. */
export function parseJsonReply<T>(message: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; error: RelayError } {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ok: false, error: new RelayError("invalid_reply", "Codex's final message is not JSON") };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  const where = first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "";
  return { ok: false, error: new RelayError("invalid_reply", `Codex's reply does not match the result schema (${where})`) };
}

const schemaFiles = new Map<string, Promise<string>>();
/** An output schema, written once per workspace under the relay's private folder. */
export function outputSchemaFile(ctx: RelayContext, name: string, schema: () => Record<string, unknown>): Promise<string> {
  const file = path.join(ctx.layout.relay, `${name}.schema.json`);
  let written = schemaFiles.get(file);
  if (!written) {
    written = writeFileAtomic(file, JSON.stringify(schema(), null, 2), ctx.layout.tmp).then(() => file);
    written.catch(() => schemaFiles.delete(file)); // a failed write is retried by the next request
    schemaFiles.set(file, written);
  }
  return written;
}

type Finish = Extract<KindOutcome, { kind: "finish" }>;

/** A run that replied (its message and the RESULT fields so far), or the finished outcome. */
export function codexEnd(
  run: KindRun,
  result: RunCodexResult,
): { kind: "replied"; message: string; base: Pick<Finish, "kind" | "startedAt" | "usage"> } | { kind: "ended"; outcome: KindOutcome } {
  const { outcome, state } = result;
  run.codex.thread_id = state.threadId;
  run.codex.exit_code = result.exitCode;
  const base = { kind: "finish" as const, startedAt: result.startedAt, usage: state.usage && { ...state.usage, cost_usd: null } };
  switch (outcome.kind) {
    case "cancelled":
      if (outcome.shutdown) return { kind: "ended", outcome: { kind: "requeue" } };
      return { kind: "ended", outcome: { ...base, status: "cancelled", error: outcome.error } };
    case "timed_out":
      return { kind: "ended", outcome: { ...base, status: "timed_out", error: outcome.error } };
    case "failed":
      return { kind: "ended", outcome: { ...base, status: "failed", error: outcome.error } };
    case "replied":
      return { kind: "replied", message: outcome.message, base };
  }
}
