// The JSON an editor writes on a hook's stdin, normalized. Pure and tolerant: anything that is not
// the shape we expect gives undefined, and the hook then does nothing (it must never fail a prompt).
//
// Claude Code (hooks reference; 2.1.332 as seen by scripts/e2e-claude-code): every event has
// `session_id`, `transcript_path`, `cwd`, `hook_event_name` and `prompt_id` (one per prompt, the
// same for the Stop hooks of its turn); UserPromptSubmit adds `prompt`, Stop adds
// `stop_hook_active` and `last_assistant_message` (the agent's final text, since 2.1.47).
// Cursor (hooks.json v1): every event has `conversation_id`, `workspace_roots` and
// `hook_event_name`, sometimes `transcript_path`; beforeSubmitPrompt adds `prompt`.

export const HOOK_AGENTS = ["claude-code", "cursor"] as const;
export type HookAgent = (typeof HOOK_AGENTS)[number];

/** `prompt`: a prompt is being submitted; `stop`: the agent finished its turn. */
export type HookEvent = "prompt" | "stop";

export interface HookInput {
  /**
   * The editor that actually ran the hook. Cursor runs the hooks of .claude/settings.json too (its
   * third-party option) with its own input; such a run is Cursor's whichever command it called, so
   * both hooks name the same session (the conversation) and one prompt makes one request.
   */
  readonly host: HookAgent;
  readonly event: HookEvent;
  readonly sessionId: string;
  readonly transcriptPath?: string;
  /** Where the editor is working; the workspace is the git repository around it. */
  readonly cwd?: string;
  /** The submitted prompt (prompt events only). */
  readonly prompt?: string;
  /** Stop: what the agent said last (Claude Code 2.1.47 and later). */
  readonly lastAssistantMessage?: string;
  /**
   * What tells this event from any other of the session (two runs of one event have the same);
   * only with a `prompt_id`: without one, a prompt typed again is the same input as the first.
   */
  readonly eventIdentity?: string;
}

const EVENT_NAMES: Readonly<Record<string, HookEvent>> = {
  UserPromptSubmit: "prompt",
  Stop: "stop",
  beforeSubmitPrompt: "prompt",
  stop: "stop",
};

export function isHookAgent(name: string | undefined): name is HookAgent {
  return (HOOK_AGENTS as readonly string[]).includes(name ?? "");
}

/**
 * The hook's input, or undefined when `text` is not a hook input we can act on. `event` (the
 * `--event` flag) wins over the input's `hook_event_name`; with neither, it is a prompt.
 */
export function parseHookInput(agent: HookAgent, text: string, event?: HookEvent): HookInput | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const data = value as Record<string, unknown>;
  const host: HookAgent = agent === "cursor" || isCursorInput(data) ? "cursor" : agent;
  const sessionId = nonEmpty(host === "cursor" ? data.conversation_id : data.session_id);
  if (sessionId === undefined) return undefined;
  const resolved = event ?? EVENT_NAMES[String(data.hook_event_name)] ?? "prompt";
  const roots = Array.isArray(data.workspace_roots) ? data.workspace_roots : [];
  const cwd = nonEmpty(host === "cursor" ? (roots[0] ?? data.cwd) : data.cwd);
  const transcriptPath = nonEmpty(data.transcript_path);
  const prompt = typeof data.prompt === "string" ? data.prompt : undefined;
  if (resolved === "prompt" && prompt === undefined) return undefined;
  const lastAssistantMessage = typeof data.last_assistant_message === "string" ? data.last_assistant_message : undefined;
  const promptId = nonEmpty(data.prompt_id);
  const eventIdentity = promptId && JSON.stringify([resolved, promptId, prompt ?? null, data.stop_hook_active ?? null, lastAssistantMessage ?? null]);
  return {
    host,
    event: resolved,
    sessionId,
    ...(transcriptPath !== undefined ? { transcriptPath } : {}),
    ...(cwd !== undefined ? { cwd } : {}),
    ...(prompt !== undefined ? { prompt } : {}),
    ...(lastAssistantMessage !== undefined ? { lastAssistantMessage } : {}),
    ...(eventIdentity ? { eventIdentity } : {}),
  };
}

// Cursor's common fields (conversation_id with generation_id, workspace_roots or cursor_version);
// Claude Code's input has session_id and none of these.
function isCursorInput(data: Record<string, unknown>): boolean {
  return nonEmpty(data.conversation_id) !== undefined && (nonEmpty(data.generation_id) !== undefined || Array.isArray(data.workspace_roots) || nonEmpty(data.cursor_version) !== undefined);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}
