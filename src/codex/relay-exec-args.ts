// The argv of one relay turn of `codex exec`: the turn (folder, sandbox, prompt, output schema) and
// the workspace's config (model, profile, `[codex.config]` with the relay's feature switches, the
// gateway's base_url last so it wins). Pure. invokeCodex runs it, and a dry run prints it, so what
// a dry run shows is what a run spawns.
import type { Config } from "../config/schema.js";
import { configOverrideArgs } from "./config-overrides.js";
import { buildExecArgs, type SandboxMode } from "./exec-args.js";
import { relayCodexConfig } from "./relay-features.js";

export interface RelayTurn {
  /** Codex's working root (`-C`): the workspace, or a sandbox worktree for patches. */
  readonly cwd: string;
  readonly sandbox: SandboxMode;
  readonly prompt: string;
  readonly outputSchemaFile: string;
  /** Continue this thread (a repair turn) instead of starting one. */
  readonly resumeThreadId?: string | undefined;
  /** A later turn may resume this one (a patch attempt before its repair): Codex must keep its session. */
  readonly resumable?: boolean | undefined;
}

/** `gatewayConfig`: the `-c` table that points Codex at the gateway ({} when the run goes direct). */
export function relayExecArgs(config: Config, model: string | null, gatewayConfig: Readonly<Record<string, unknown>>, turn: RelayTurn): string[] {
  return buildExecArgs({
    workspace: turn.cwd,
    sandbox: turn.sandbox,
    prompt: turn.prompt,
    outputSchemaFile: turn.outputSchemaFile,
    model: model ?? undefined,
    profile: config.codex.profile || undefined,
    // Codex applies `-c` in order: the gateway's base_url comes last, so it wins over the user's.
    configArgs: [...configOverrideArgs(relayCodexConfig(config.codex.config)), ...configOverrideArgs(gatewayConfig)],
    resumeThreadId: turn.resumeThreadId,
    // A read-only turn works in any folder (its sandbox is the guard); one that writes needs git.
    skipGitRepoCheck: turn.sandbox === "read-only",
    // A session file costs Codex 40-70 ms of each run (bench: codex exec with and without
    // --ephemeral) and lands the relay's prompts in the user's Codex history. Only a turn that a
    // later one resumes needs it, unless the workspace keeps sessions to resume them by hand.
    ephemeral: !turn.resumable && !turn.resumeThreadId && !config.codex.keep_sessions,
  });
}
