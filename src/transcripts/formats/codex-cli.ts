// Codex CLI session rollouts: ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl.
//
// Verified shapes:
// - codex 0.169.0 (captured from the real binary in node_modules, `codex exec` against a local model
//   stand-in): every line is `{ timestamp, ordinal, type, payload }` with type session_meta | event_msg |
//   response_item | world_state | turn_context | token_usage_record. Each message appears TWICE: as a
//   `response_item` `{type:"message", id:"msg_…", role, content:[{type:"input_text"|"output_text", text}]}`
//   and as an `event_msg` (`item_completed` with a UserMessage/AgentMessage item; `task_complete`
//   repeats the last agent message). Codex injects user-role response items of its own: AGENTS.md
//   (`# AGENTS.md instructions for <dir>` + `<INSTRUCTIONS>`), `<environment_context>`; 0.169.0 labels
//   each content item in `internal_chat_message_metadata_passthrough.content_item_metadata[i].provenance
//   .type` ("user" for typed text, "agents_md", "harness", …). Tool calls are `function_call`,
//   `function_call_output`, `custom_tool_call[_output]`; their output also shows in event_msg items.
// - older versions (openai/codex codex-rs/protocol, and rollouts quoted by readers on GitHub): the same
//   envelope with event_msg `user_message`/`agent_message` as the duplicates, and `compacted` lines that
//   replay history; before the envelope (mid 2025) line 1 was a bare header `{id, timestamp,
//   instructions, …}`, then `{"record_type":"state"}` and bare response items `{type:"message", role, …}`.
// - injected markers without provenance labels: openai/codex codex-rs/protocol/src/instruction_markers.rs
//   (`# AGENTS.md instructions for `, `<user_instructions>`, `<environment_context>`, `<collaboration_mode>`,
//   `<skill`, `<user_shell_command>`, `<image`) and core's session-prefix tags (`<turn_aborted>`,
//   `<subagent_notification>`, …), all one XML-like element per content item.
// So only `message` response items count (present in every version); event_msg lines are duplicates
// (counting both would make two requests of one utterance) and `compacted` lines are replays.
import { z } from "zod";
import type { Utterance } from "../scan-chunk.js";

const ContentItem = z.looseObject({ type: z.string(), text: z.string().optional() });
const Provenance = z.looseObject({ provenance: z.looseObject({ type: z.string() }).optional() }).nullable();

const MessageItem = z.looseObject({
  type: z.literal("message"),
  id: z.string().nullish(),
  role: z.string(),
  content: z.array(z.unknown()),
  internal_chat_message_metadata_passthrough: z
    .looseObject({ content_item_metadata: z.array(Provenance).optional() })
    .optional(),
});

const Envelope = z.looseObject({ type: z.string(), timestamp: z.string().optional(), payload: z.unknown().optional() });

// A content item that is one whole XML-like element is context codex injected, not typed text.
const WHOLE_ELEMENT = /^<([A-Za-z][\w-]*)\b[^>]*>[\s\S]*<\/\1>$/;
const INJECTED_PREFIXES = ["# AGENTS.md instructions for ", "<user_instructions>", "<environment_context>", "<skill", "<user_shell_command>", "<turn_aborted>"];

/** What the user or the agent said in one rollout line; [] for everything else. */
export function parseCodexCliRecord(line: string): Utterance[] {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return [];
  }
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success) return [];
  const wrapped = envelope.data.type === "response_item";
  const item = MessageItem.safeParse(wrapped ? envelope.data.payload : raw);
  if (!item.success) return [];
  const { role, content, id } = item.data;
  if (role !== "user" && role !== "assistant") return [];
  const meta = { ...(id ? { id } : {}), ...(wrapped && envelope.data.timestamp ? { timestamp: envelope.data.timestamp } : {}) };
  const provenance = item.data.internal_chat_message_metadata_passthrough?.content_item_metadata;
  const said: Utterance[] = [];
  content.forEach((entry, index) => {
    const parsed = ContentItem.safeParse(entry);
    if (!parsed.success || parsed.data.text === undefined) return;
    const { type, text } = parsed.data;
    if (role === "assistant") {
      if (type === "output_text" || type === "text") said.push({ role, text, ...meta });
      return;
    }
    if (type !== "input_text") return;
    const label = provenance?.length === content.length ? provenance[index]?.provenance?.type : undefined;
    const typed = label === undefined ? !looksInjected(text) : label === "user";
    if (typed) said.push({ role, text, ...meta });
  });
  return said;
}

function looksInjected(text: string): boolean {
  const trimmed = text.trim();
  return INJECTED_PREFIXES.some((prefix) => trimmed.startsWith(prefix)) || WHOLE_ELEMENT.test(trimmed);
}

/** Who started a Codex session, from a rollout's first line: lets a caller skip `codex exec` runs (its own included). */
export interface CodexSessionMeta {
  id: string;
  /** "cli", "vscode", "exec", … (absent before the field existed). */
  source?: string;
  originator?: string;
  cwd?: string;
}

const SessionMetaPayload = z.looseObject({
  id: z.string(),
  source: z.unknown().optional(),
  originator: z.string().optional(),
  cwd: z.string().optional(),
});

/** The session header of a rollout (`session_meta`, or the bare legacy header); undefined for any other line. */
export function parseCodexSessionMeta(line: string): CodexSessionMeta | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const envelope = Envelope.safeParse(raw);
  const payload = envelope.success && envelope.data.type === "session_meta" ? envelope.data.payload : raw;
  const legacyHeader = !envelope.success || envelope.data.type !== "session_meta";
  if (legacyHeader && (typeof raw !== "object" || raw === null || "type" in raw || "record_type" in raw)) return undefined;
  const meta = SessionMetaPayload.safeParse(payload);
  if (!meta.success) return undefined;
  const { id, source, originator, cwd } = meta.data;
  return {
    id,
    ...(typeof source === "string" ? { source } : {}),
    ...(originator ? { originator } : {}),
    ...(cwd ? { cwd } : {}),
  };
}
