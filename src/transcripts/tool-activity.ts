// What a transcript records besides speech: the agent's tool calls and their output. Never a source
// of requests (PROTOCOL.md §7: tool output never triggers); only context for a request made from a
// phrase said nearby: the files a call touched, the command that failed and what it printed.

/** One tool call or tool result in a transcript record. Types only. */
export type ToolActivity = ToolCall | ToolOutput;

export interface ToolCall {
  kind: "call";
  /** Links the call to its output (Claude Code `tool_use.id`, Codex `call_id`). */
  id?: string;
  /** The tool's name (Bash, Read, exec_command, shell, apply_patch, …). */
  name: string;
  /** The shell command, when the tool runs one. */
  command?: string;
  /** Files the call names (read, edited, written). */
  paths: string[];
}

export interface ToolOutput {
  kind: "output";
  /** The call this answers. */
  id?: string;
  text: string;
  /** The tool reported an error, or the command exited non-zero. */
  failed: boolean;
}
