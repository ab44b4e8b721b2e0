// One Codex turn of a kind, decided before Codex runs: where, in which sandbox, the prompt (already
// redacted), the reply schema, and the files embedded or refused. The kinds hand it to askCodex; a
// dry run prints it. Types only.
import type { EmbeddedFile } from "../security/file-guard.js";
import type { SandboxMode } from "./exec-args.js";
import type { ReplySchema } from "./reply-schema.js";

export interface TurnPlan<T> {
  /** Codex's working root (`-C`): the workspace, or a sandbox worktree for patches. */
  readonly cwd: string;
  readonly sandbox: SandboxMode;
  readonly prompt: string;
  readonly schema: ReplySchema<T>;
  /** Files embedded in the prompt. */
  readonly files: readonly EmbeddedFile[];
  /** Files listed but not embedded, each with the reason (the RESULT's warnings). */
  readonly refused: readonly string[];
}
