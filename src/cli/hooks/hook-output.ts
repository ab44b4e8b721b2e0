// A hook's stdout, in the shape each editor reads. Pure. The exit code is always 0: exit 2 would
// block the user's prompt (Claude Code) and any failure here must never do that.
//
// Claude Code: on UserPromptSubmit, `hookSpecificOutput.additionalContext` is added to the
// context Claude sees with the prompt. On Stop, plain stdout only reaches the transcript view, not
// Claude; `{"decision":"block","reason":…}` is the documented way to make Claude continue with the
// reason as its next instruction. Each RESULT is announced once, so the next stop goes through.
// Cursor: beforeSubmitPrompt can only allow or block (`{"continue":true}`, and it expects JSON on
// every path); stop takes `{"followup_message":…}`, submitted as the next user message.
import type { HookAgent, HookEvent } from "./hook-input.js";

/** stdout for `agent`'s `event`, telling the agent `text` (undefined: nothing to say). */
export function hookOutput(agent: HookAgent, event: HookEvent, text: string | undefined): string {
  if (agent === "cursor") {
    if (event === "prompt") return json({ continue: true });
    return json(text === undefined ? {} : { followup_message: text });
  }
  if (text === undefined) return "";
  if (event === "stop") return json({ decision: "block", reason: text });
  return json({ hookSpecificOutput: { hookEventName: "UserPromptSubmit", additionalContext: text } });
}

const json = (value: unknown) => `${JSON.stringify(value)}\n`;
