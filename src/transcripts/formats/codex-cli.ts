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
import type { ToolActivity } from "../tool-activity.js";

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
  const record = responseItemOf(line);
  if (!record) return [];
  const item = MessageItem.safeParse(record.item);
  if (!item.success) return [];
  const { role, content, id } = item.data;
  if (role !== "user" && role !== "assistant") return [];
  const meta = { ...(id ? { id } : {}), ...(record.timestamp ? { timestamp: record.timestamp } : {}) };
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

// The response item of a rollout line: an envelope's payload (with its timestamp) or, in legacy
// rollouts, the line itself; undefined for a torn or foreign line.
function responseItemOf(line: string): { item: unknown; timestamp?: string } | undefined {
  const raw = jsonOf(line);
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success) return undefined;
  if (envelope.data.type !== "response_item") return { item: raw };
  return { item: envelope.data.payload, ...(envelope.data.timestamp ? { timestamp: envelope.data.timestamp } : {}) };
}

/** The parsed line; undefined for a torn or non-JSON line. */
function jsonOf(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

function looksInjected(text: string): boolean {
  const trimmed = text.trim();
  return INJECTED_PREFIXES.some((prefix) => trimmed.startsWith(prefix)) || WHOLE_ELEMENT.test(trimmed);
}

/** Who started a Codex session, from a rollout's first line: lets a caller skip `codex exec` runs (its own included). */
export interface CodexSessionMeta {
  id: string;
  /** "cli", "vscode", "exec", "mcp", … (absent before the field existed). */
  source?: string;
  /** A sub-agent's session (`source: {"subagent": …}`: review, a spawned thread with its parent's id, …). */
  subagent?: true;
  originator?: string;
  cwd?: string;
}

/**
 * Why a rollout is not a person's conversation, or undefined when it is. `source` decides first
 * (an originator can be overridden by the environment); the originator only when a rollout has
 * no source. Sub-agents speak to their parent agent, not to the user.
 */
export function codexSessionSkip(meta: CodexSessionMeta | undefined): string | undefined {
  if (!meta) return undefined;
  if (meta.subagent) return "codex sub-agent session";
  if (meta.source !== undefined) return meta.source === "exec" ? "codex exec session" : undefined;
  return meta.originator === "codex_exec" ? "codex exec session" : undefined;
}

const SessionMetaPayload = z.looseObject({
  id: z.string(),
  source: z.unknown().optional(),
  originator: z.string().optional(),
  cwd: z.string().optional(),
});

/** The session header of a rollout (`session_meta`, or the bare legacy header); undefined for any other line. */
export function parseCodexSessionMeta(line: string): CodexSessionMeta | undefined {
  const raw = jsonOf(line);
  if (raw === undefined) return undefined;
  const envelope = Envelope.safeParse(raw);
  const payload = envelope.success && envelope.data.type === "session_meta" ? envelope.data.payload : raw;
  const legacyHeader = !envelope.success || envelope.data.type !== "session_meta";
  if (legacyHeader && (typeof raw !== "object" || raw === null || "type" in raw || "record_type" in raw)) return undefined;
  const meta = SessionMetaPayload.safeParse(payload);
  if (!meta.success) return undefined;
  const { id, source, originator, cwd } = meta.data;
  const subagent = typeof source === "object" && source !== null && "subagent" in source;
  return {
    id,
    ...(typeof source === "string" ? { source } : {}),
    ...(subagent ? { subagent: true as const } : {}),
    ...(originator ? { originator } : {}),
    ...(cwd ? { cwd } : {}),
  };
}

const ToolCallItem = z.looseObject({
  type: z.enum(["function_call", "custom_tool_call", "local_shell_call"]),
  name: z.string().optional(),
  call_id: z.string().nullish(),
  arguments: z.string().optional(),
  input: z.string().optional(),
  action: z.looseObject({ command: z.array(z.string()).optional() }).optional(),
});
const ToolOutputItem = z.looseObject({
  type: z.enum(["function_call_output", "custom_tool_call_output"]),
  call_id: z.string().nullish(),
  output: z.unknown(),
});
const CallArguments = z.looseObject({
  cmd: z.string().optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  input: z.string().optional(),
  path: z.string().optional(),
  file_path: z.string().optional(),
});
// apply_patch names its files in headers.
const PATCH_FILE = /^\*\*\* (?:Update|Add|Delete) File: (.+)$/gm;
// How each version reports a command's exit status inside the output text.
const EXIT_STATUS = [/\bProcess exited with code (\d+)/, /^Exit code: (\d+)/m];
const OutputJson = z.looseObject({ output: z.string().optional(), metadata: z.looseObject({ exit_code: z.number().optional() }).optional() });

/** The tool calls and tool outputs of one rollout line (any version), for context only. */
export function parseCodexCliActivity(line: string): ToolActivity[] {
  const item = responseItemOf(line)?.item;
  if (item === undefined) return [];
  const call = ToolCallItem.safeParse(item).data;
  if (call) return [toolCall(call)];
  const output = ToolOutputItem.safeParse(item).data;
  if (!output) return [];
  const { text, exitCode } = outputText(output.output);
  return [{ kind: "output", text, failed: exitCode !== undefined && exitCode !== 0, ...(output.call_id ? { id: output.call_id } : {}) }];
}

function toolCall(call: z.infer<typeof ToolCallItem>): ToolActivity {
  let args: z.infer<typeof CallArguments> | undefined;
  if (call.arguments !== undefined) {
    try {
      args = CallArguments.safeParse(JSON.parse(call.arguments)).data;
    } catch {
      args = undefined; // arguments streamed incompletely: the call still counts, without details
    }
  }
  const argv = call.action?.command ?? (Array.isArray(args?.command) ? args.command : undefined);
  // `["bash", "-lc", "npm test"]`: the script is what the agent ran.
  const command = args?.cmd ?? (typeof args?.command === "string" ? args.command : argv ? (argv.length >= 3 && /^-l?c$/.test(argv[1] ?? "") ? argv.slice(2).join(" ") : argv.join(" ")) : undefined);
  const patch = call.input ?? args?.input ?? "";
  const paths = [...patch.matchAll(PATCH_FILE)].map((match) => match[1]!.trim());
  for (const named of [args?.path, args?.file_path]) if (named) paths.push(named);
  return {
    kind: "call",
    name: call.name ?? call.type,
    paths,
    ...(call.call_id ? { id: call.call_id } : {}),
    ...(command ? { command } : {}),
  };
}

function outputText(output: unknown): { text: string; exitCode?: number } {
  const text = typeof output === "string" ? output : (z.looseObject({ content: z.string() }).safeParse(output).data?.content ?? "");
  if (text.startsWith("{")) {
    try {
      const json = OutputJson.safeParse(JSON.parse(text)).data;
      if (json?.output !== undefined) {
        const exitCode = json.metadata?.exit_code;
        return { text: json.output, ...(exitCode === undefined ? {} : { exitCode }) };
      }
    } catch {
      // plain text that happens to start with a brace
    }
  }
  for (const pattern of EXIT_STATUS) {
    const match = pattern.exec(text);
    if (match) return { text, exitCode: Number(match[1]) };
  }
  return { text };
}
