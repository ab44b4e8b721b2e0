// Build the argv of `codex exec` from typed options. Pure. The sandbox comes from config and the
// route decision only; free text (the prompt) always comes after `--`, so it is never a flag.

export type SandboxMode = "read-only" | "workspace-write";

export interface ExecArgsOptions {
  readonly workspace: string;
  readonly sandbox: SandboxMode;
  readonly prompt: string;
  readonly outputSchemaFile?: string;
  readonly model?: string;
  readonly profile?: string;
  /** Already-built `-c key=value` pairs (see config-overrides.ts). */
  readonly configArgs: readonly string[];
  /** Resume this thread instead of starting one (`codex exec resume <id>`). */
  readonly resumeThreadId?: string;
  readonly skipGitRepoCheck?: boolean;
  /** Keep no session file in CODEX_HOME (`--ephemeral`): the thread cannot be resumed later. */
  readonly ephemeral?: boolean;
}

export function buildExecArgs(options: ExecArgsOptions): string[] {
  // `-s`, `-C` and `-p` belong to `exec` itself: `codex exec resume` rejects them after `resume`.
  const args = ["exec", "--json", "-s", options.sandbox, "-C", options.workspace];
  if (options.profile) args.push("-p", options.profile);
  if (options.resumeThreadId) args.push("resume");
  if (options.outputSchemaFile) args.push("--output-schema", options.outputSchemaFile);
  if (options.model) args.push("-m", options.model);
  if (options.skipGitRepoCheck) args.push("--skip-git-repo-check");
  if (options.ephemeral) args.push("--ephemeral");
  args.push(...options.configArgs);
  if (options.resumeThreadId) args.push(options.resumeThreadId);
  args.push("--", options.prompt);
  return args;
}
