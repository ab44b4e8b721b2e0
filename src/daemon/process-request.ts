// One analysis request, from its file to its RESULT pair: parse, embed files safely, render the
// prompt, run Codex read-only, validate its reply, write the RESULT, commit the audit trail.
// Whatever goes wrong becomes a RESULT; only a daemon shutdown returns without one (to re-run).
import { createWriteStream } from "node:fs";
import path from "node:path";
import { codexHome, needsLogin, readCodexUserConfig } from "../codex/codex-config.js";
import { codexVersion, isLoggedIn } from "../codex/codex-info.js";
import { renderAnalysisPrompt } from "../codex/analysis-prompt.js";
import { configOverrideArgs } from "../codex/config-overrides.js";
import { buildExecArgs } from "../codex/exec-args.js";
import { resolveCodexBin } from "../codex/resolve-bin.js";
import { isRequeueReason, runCodex } from "../codex/run-codex.js";
import { RelayError, toRelayError } from "../errors.js";
import type { DelegationRequest } from "../protocol/request.js";
import { CodexReply, codexReplyJsonSchema, type ResultFile } from "../protocol/result.js";
import { recordInAudit } from "../report/record-audit.js";
import { buildResult, writeResult, type ResultInput } from "../report/result-file.js";
import { loadTemplate } from "../report/templates.js";
import { buildChildEnv, providerEnvKeys } from "../security/child-env.js";
import { readRequestedFiles, DEFAULT_SECRET_DENY } from "../security/file-guard.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { readRequest } from "./read-request.js";
import type { RelayContext } from "./relay-context.js";

export interface ProcessOptions {
  readonly id: string;
  readonly detectedAt: Date;
  /** Aborted with reason "cancelled", or "shutdown"/"restart" to end without a RESULT. */
  readonly signal?: AbortSignal;
  /** Called with Codex's pid as soon as it runs (recorded in the claim). */
  readonly onSpawn?: (pid: number) => void;
  /** Request text already read and parsed by the caller (the daemon's settle check). */
  readonly request?: DelegationRequest;
}

export type ProcessOutcome = { kind: "result"; result: ResultFile } | { kind: "requeue" };

const SANDBOX = "read-only" as const;

export async function processRequest(ctx: RelayContext, options: ProcessOptions): Promise<ProcessOutcome> {
  const { id, detectedAt } = options;
  const base = { id, kind: "analysis", detectedAt, warnings: [] as string[] };
  const codexInfo: ResultInput["codex"] = { version: null, bin: null, model: null, thread_id: null, sandbox: SANDBOX, exit_code: null };
  const finish = (input: Omit<ResultInput, "id" | "detectedAt" | "finishedAt" | "codex">) =>
    publish(ctx, buildResult({ ...input, id, detectedAt, codex: codexInfo, finishedAt: ctx.now() }));
  try {
    if (options.signal?.aborted) {
      if (isRequeueReason(options.signal.reason)) return { kind: "requeue" };
      return await finish({ ...base, status: "cancelled", error: new RelayError("cancelled", "the request was cancelled before Codex started") });
    }
    const read = options.request ? { ok: true as const, request: options.request } : await readRequest(ctx, id);
    if (!read.ok) throw read.error;
    const request = read.request;
    base.kind = request.kind;
    if (request.kind !== "analysis") {
      const error = new RelayError(
        "invalid_request",
        `kind \`${request.kind}\` is not handled by this version of codex-relay (only \`analysis\`)`,
        { hint: "Use `kind: analysis`, or upgrade codex-relay for diagnose/patch/micro runs." },
      );
      return await finish({ ...base, status: "rejected", error });
    }

    const { config, layout, env } = ctx;
    const { files, warnings } = await readRequestedFiles(layout.workspace, request.files, {
      maxFileBytes: config.limits.max_file_bytes,
      maxTotalBytes: config.limits.max_total_file_bytes,
      maxFiles: config.limits.max_files,
      deny: [...DEFAULT_SECRET_DENY, ...config.security.deny],
    });
    base.warnings.push(...warnings);
    const template = await loadTemplate("analysis-prompt.md", layout.templates);
    const prompt = ctx.redactor.redact(
      renderAnalysisPrompt(template, { id, request, files, warnings, maxLogBytes: config.limits.max_log_bytes }),
    );

    const codex = resolveCodexBin({ configBin: config.codex.bin, env });
    codexInfo.bin = codex.path;
    codexInfo.version = await codexVersion(codex.path);
    const model = (config.codex.allow_request_model && request.model) || config.codex.model || null;
    codexInfo.model = model;
    const userConfig = await readCodexUserConfig(env);
    const childEnv = buildChildEnv(env, {
      passthrough: [...config.codex.env, ...providerEnvKeys(config.codex.config), ...providerEnvKeys(userConfig)],
    });
    if (needsLogin(config.codex.config, userConfig, env) && !(await isLoggedIn(codex.path, childEnv))) {
      throw new RelayError("codex_not_authenticated", `Codex is not logged in (CODEX_HOME ${codexHome(env)}) and no API key is set`);
    }

    const args = buildExecArgs({
      workspace: layout.workspace,
      sandbox: SANDBOX,
      prompt,
      outputSchemaFile: await outputSchemaFile(ctx),
      model: model ?? undefined,
      profile: config.codex.profile || undefined,
      configArgs: configOverrideArgs(config.codex.config),
      skipGitRepoCheck: true, // read-only analysis works in any folder; the sandbox is the guard
    });
    const eventLog = createWriteStream(layout.log(id), { flags: "a" });
    let run;
    try {
      run = await runCodex({
        bin: codex.path,
        args,
        cwd: layout.workspace,
        env: childEnv,
        limits: config.watchdog,
        signal: options.signal,
        onSpawn: (pid) => {
          options.onSpawn?.(pid);
          ctx.logger.log("info", "codex started", { id, pid, version: codexInfo.version, model });
        },
        onEvent: (event) => {
          eventLog.write(`${JSON.stringify(ctx.redactor.redactDeep(event.type === "unknown" ? event.raw : event))}\n`);
          if (event.type === "item.completed" || event.type === "turn.completed" || event.type === "thread.started") {
            ctx.logger.log("info", "progress", { id, codex_event: event.type, item: event.type === "item.completed" ? event.item.type : undefined });
          }
        },
      });
    } finally {
      await new Promise<void>((resolve) => eventLog.end(resolve));
    }
    const { outcome, state } = run;
    ctx.logger.log("info", "codex finished", { id, outcome: outcome.kind, exit: run.exitCode, ms: Date.now() - run.startedAt.getTime() });
    codexInfo.thread_id = state.threadId;
    codexInfo.exit_code = run.exitCode;
    const ran = { ...base, startedAt: run.startedAt, usage: state.usage && { ...state.usage, cost_usd: null } };
    if (state.unknownEvents > 0) ctx.logger.log("warn", "unknown events", { id, count: state.unknownEvents });

    switch (outcome.kind) {
      case "cancelled":
        if (outcome.shutdown) return { kind: "requeue" };
        return await finish({ ...ran, status: "cancelled", error: outcome.error });
      case "timed_out":
        return await finish({ ...ran, status: "timed_out", error: outcome.error });
      case "failed":
        return await finish({ ...ran, status: "failed", error: outcome.error });
      case "replied": {
        const reply = parseReply(outcome.message);
        if (!reply.ok) return await finish({ ...ran, status: "failed", error: reply.error, rawReply: outcome.message });
        const { patch, ...analysis } = reply.value;
        return await finish({ ...ran, status: "completed", analysis, patch });
      }
    }
  } catch (error) {
    const relayError = toRelayError(error);
    const status = relayError.code === "invalid_request" || relayError.code === "request_too_large" ? "rejected" : "failed";
    return finish({ ...base, status, error: relayError });
  }
}

function parseReply(message: string): { ok: true; value: CodexReply } | { ok: false; error: RelayError } {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ok: false, error: new RelayError("invalid_reply", "Codex's final message is not JSON") };
  }
  const parsed = CodexReply.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  const where = first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "";
  return { ok: false, error: new RelayError("invalid_reply", `Codex's reply does not match the result schema (${where})`) };
}

/** Write a RESULT for a request that never reached Codex (cancelled early, crashed too often). */
export function finishWithoutRun(
  ctx: RelayContext,
  options: { id: string; detectedAt: Date; status: ResultFile["status"]; error: RelayError },
): Promise<ProcessOutcome> {
  const codex = { version: null, bin: null, model: null, thread_id: null, sandbox: SANDBOX, exit_code: null };
  return publish(ctx, buildResult({ ...options, kind: "analysis", warnings: [], codex, finishedAt: ctx.now() }));
}

async function publish(ctx: RelayContext, result: ResultFile): Promise<ProcessOutcome> {
  const written = await writeResult(ctx.layout, result, ctx.redactor);
  ctx.logger.log(written.status === "completed" ? "info" : "warn", "result written", {
    id: written.id,
    status: written.status,
    error: written.error?.code,
    ms: written.timing.duration_ms,
  });
  // The RESULT is the answer; the audit commit (several git calls) follows without holding the slot.
  if (ctx.config.audit.enabled) ctx.background.run(() => recordInAudit(ctx, written.id));
  return { kind: "result", result: written };
}

const schemaFiles = new Map<string, Promise<string>>();
/** The strict output schema, written once per workspace under the relay's private folder. */
function outputSchemaFile(ctx: RelayContext): Promise<string> {
  const file = path.join(ctx.layout.relay, "output-schema.json");
  let written = schemaFiles.get(file);
  if (!written) {
    written = writeFileAtomic(file, JSON.stringify(codexReplyJsonSchema(), null, 2), ctx.layout.tmp).then(() => file);
    schemaFiles.set(file, written);
  }
  return written;
}
