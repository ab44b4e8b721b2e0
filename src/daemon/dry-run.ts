// A dry run (`--dry-run`): what processing a request would send and spawn, built by the code a run
// uses — the kind's turn (files through the file guard, the prompt from its template, redacted),
// the Codex launch (binary, model, child environment, gateway route) and the argv builder — so it
// cannot drift from a real run. Nothing is written and nothing is spawned: no request, RESULT,
// schema file, gateway, sandbox, verification command or Codex.
import { RelayError } from "../errors.js";
import path from "node:path";
import { codexLaunch } from "../codex/codex-setup.js";
import { outputSchemaPath } from "../codex/reply-schema.js";
import { relayExecArgs } from "../codex/relay-exec-args.js";
import type { TurnPlan } from "../codex/turn-plan.js";
import { estimateCostUsd } from "../config/prices.js";
import type { KindRun } from "../context/kind-run.js";
import type { RelayContext } from "../context/relay-context.js";
import { analysisTurn } from "../analysis/run-analysis.js";
import type { DelegationRequest } from "../protocol/request.js";
import type { DryRunReport, DryRunTurn } from "../report/dry-run-report.js";

// What a run's gateway base URL looks like; its port and secret exist only once a run opens it.
const GATEWAY_PLACEHOLDER = "http://127.0.0.1:<port>/r/<secret>";
const BYTES_PER_TOKEN = 4;
const TOKEN_METHOD = `prompt bytes / ${BYTES_PER_TOKEN} (about 4 characters per token for English and code); Codex adds its own instructions and tool definitions, and the reply is not counted`;

type Planned = { turn: TurnPlan<unknown>; what: string; notes: string[] } | { rejected: string; what: string; notes: string[] };

export async function dryRun(ctx: RelayContext, id: string, request: DelegationRequest, requestText: string): Promise<DryRunReport> {
  const { config } = ctx;
  const notes: string[] = [];
  if (config.approval.level === "manual") notes.push(`[approval] level = "manual": it would wait for \`codex-relay approve ${id}\` before Codex runs`);
  const size = Buffer.byteLength(requestText);
  if (size > config.limits.max_request_bytes) {
    const rejected = `request_too_large: the request is ${size} bytes, over limits.max_request_bytes (${config.limits.max_request_bytes})`;
    return { dry_run: true, id, kind: request.kind, what: `a ${request.kind} request`, rejected, turn: null, notes };
  }
  const planned = await planKind(ctx, id, request);
  notes.push(...planned.notes);
  if ("rejected" in planned) return { dry_run: true, id, kind: request.kind, what: planned.what, rejected: planned.rejected, turn: null, notes };
  return { dry_run: true, id, kind: request.kind, what: planned.what, rejected: null, turn: await describeTurn(ctx, request, planned.turn), notes };
}

async function describeTurn(ctx: RelayContext, request: DelegationRequest, turn: TurnPlan<unknown>): Promise<DryRunTurn> {
  const launch = await codexLaunch(ctx, request.model);
  const gatewayConfig = launch.route ? launch.route(GATEWAY_PLACEHOLDER) : {};
  const outputSchemaFile = outputSchemaPath(ctx.layout, turn.schema);
  const args = relayExecArgs(ctx.config, launch.model, gatewayConfig, { cwd: turn.cwd, sandbox: turn.sandbox, prompt: turn.prompt, outputSchemaFile });
  const promptBytes = Buffer.byteLength(turn.prompt);
  const inputTokens = Math.ceil(promptBytes / BYTES_PER_TOKEN);
  const usage = { input_tokens: inputTokens, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0 };
  const where = launch.route ? `through the relay's gateway (${GATEWAY_PLACEHOLDER}) to ${launch.provider.baseUrl}` : `direct to ${launch.provider.baseUrl}`;
  return {
    sandbox: turn.sandbox,
    cwd: turn.cwd,
    model: launch.model,
    provider: `${launch.provider.name} (${launch.provider.id}), ${where}`,
    argv: [launch.bin, ...args],
    env_names: Object.keys(launch.env).sort(),
    prompt: turn.prompt,
    output_schema_file: outputSchemaFile,
    output_schema: turn.schema.json(),
    files: turn.files.map((file) => ({ path: file.path, bytes: file.bytes, embedded_bytes: Buffer.byteLength(file.content), truncated: file.truncated })),
    refused: turn.refused,
    estimate: { prompt_bytes: promptBytes, input_tokens: inputTokens, method: TOKEN_METHOD, cost_usd: estimateCostUsd(usage, launch.model, ctx.config.budget.prices) },
  };
}

// Each kind's first turn, planned by the kind's own code (loaded lazily, as processRequest does).
async function planKind(ctx: RelayContext, id: string, request: DelegationRequest): Promise<Planned> {
  switch (request.kind) {
    case "analysis":
      return { turn: await analysisTurn(ctx, id, request), what: "an analysis: Codex reads the workspace read-only and answers under the RESULT schema", notes: [] };
    case "diagnose": {
      const { diagnosisTurn } = await import("../patch/run-diagnosis.js");
      const { packet: _packet, title: _title, ...turn } = await diagnosisTurn(ctx, request);
      const notes = ctx.config.approval.level === "delegate" ? ["[approval] level = \"delegate\": if every file the diagnosis names matches approval.auto_files and none approval.halt_on, the relay writes progress/ROUTE_DECISION.md and queues the patch"] : [];
      return { turn, what: "a read-only diagnosis into out/codex-diagnosis-<time>.md", notes };
    }
    case "patch":
    case "micro":
      return planPatchTurn(ctx, id, request);
    case "plan":
    case "plan-run":
      throw new RelayError("invalid_request", `a dry run of a ${request.kind} request is not supported`, { hint: "dry-run delegate, diagnose, patch, micro or run a single request" });
  }
}

async function planPatchTurn(ctx: RelayContext, id: string, request: DelegationRequest): Promise<Planned> {
  const [{ planMicro, planPatch }, { patchPrompt }, { PATCH_REPLY }, { sandboxRoot }, { detectQualityGates }] = await Promise.all([
    import("../patch/patch-plan.js"),
    import("../patch/patch-prompt.js"),
    import("../patch/attempt-loop.js"),
    import("../patch/sandbox-pool.js"),
    import("../patch/quality-gates.js"),
  ]);
  const run: KindRun = { ctx, id, request, codex: { version: null, bin: null, model: null, thread_id: null, sandbox: "workspace-write", exit_code: null }, warnings: [] };
  const planned = request.kind === "micro" ? planMicro(run) : await planPatch(run);
  const what = request.kind === "micro" ? "a micro edit in a sandbox worktree, checked by the quality gates" : "a verified patch in a sandbox worktree";
  if (!planned.ok) return { rejected: `patch_prerequisites: ${planned.missing.map((m) => `${m.message} (fix: ${m.fix})`).join("; ")}`, what, notes: [] };
  const { plan } = planned;
  // Micro gates are found in the sandbox, a checkout of HEAD: the workspace's package.json stands in for it here.
  const commands = plan.commands === "gates" ? await detectQualityGates(ctx.layout.workspace, ctx.config.micro.gates) : plan.commands;
  const prompt = ctx.redactor.redact(await patchPrompt(ctx.layout.templates, plan, commands.map((c) => c.command)));
  const limits = plan.limits;
  return {
    turn: { cwd: path.join(sandboxRoot(ctx), "slot-<n>"), sandbox: "workspace-write", prompt, schema: PATCH_REPLY, files: [], refused: [] },
    what: `${what}, on branch ${plan.branch}`,
    notes: [
      `the working folder is a free slot of the sandbox pool, reset to HEAD; ${commands.length === 0 ? "no verification commands" : `verification: ${commands.map((c) => `\`${c.command}\``).join(", ")}`}, run first on the untouched base (each result is added to the prompt's verification lines), then after Codex`,
      `limits: ${limits.maxFiles} files, ${limits.maxLinesPerFile} lines per file, ${limits.maxTotalLines} in total; approved files: ${limits.approvedFiles === null ? "any" : limits.approvedFiles.join(", ")}`,
      `up to ${plan.attempts} Codex run(s), a repair resuming the same thread with the failing output`,
      ...(plan.approvedBy ? [`approved by ${plan.approvedBy} (progress/ROUTE_DECISION.md)`] : []),
    ],
  };
}
