// A hook's stdout, in the shape each editor reads. Pure. The exit code is always 0: exit 2 would
// block the user's prompt (Claude Code) and any failure here must never do that.
//
// Claude Code: on UserPromptSubmit, `hookSpecificOutput.additionalContext` is added to the
// context Claude sees with the prompt. On Stop, plain stdout only reaches the transcript view, not
// Claude. Since 2.1.163 a Stop hook's `hookSpecificOutput.additionalContext` makes Claude go on
// with it ("Stop hook additional context: …"), shown as hook feedback; before, only
// `{"decision":"block","reason":…}` did, which Claude Code labels a hook error ("Stop hook
// blocking error"): used when `stopContext` is false (claude-code-version.ts decides). Each RESULT
// is announced once, so the next stop goes through.
// Cursor: beforeSubmitPrompt can only allow or block (`{"continue":true}`, and it expects JSON on
// every path); stop takes `{"followup_message":…}`, submitted as the next user message.
import type { HookAgent, HookEvent } from "./hook-input.js";

/** stdout for `agent`'s `event`, telling the agent `text` (undefined: nothing to say). */
export function hookOutput(agent: HookAgent, event: HookEvent, text: string | undefined, stopContext = false): string {
  if (agent === "cursor") {
    if (event === "prompt") return json({ continue: true });
    return json(text === undefined ? {} : { followup_message: text });
  }
  if (text === undefined) return "";
  if (event === "stop") return json(stopContext ? { hookSpecificOutput: { hookEventName: "Stop", additionalContext: text } } : { decision: "block", reason: text });
  return json({ hookSpecificOutput: { hookEventName: "UserPromptSubmit", additionalContext: text } });
}

const json = (value: unknown) => `${JSON.stringify(value)}\n`;
