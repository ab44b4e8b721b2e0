// `codex-relay hook <claude-code|cursor> [--event prompt|stop]`: the command an editor runs as a
// hook (installed by `init --claude-code` / `init --cursor`). Reads the editor's JSON on stdin,
// turns `DELEGATE TO CODEX: <issue>` in a prompt into a request, and announces finished RESULTs.
// Always exits 0 and prints nothing it was not asked for (its notes go to the hook log, hook-log.ts):
// a hook must never block or disturb a prompt.
import type { CliIo, CommandInput } from "../command.js";
import { layoutFor } from "../../protocol/layout.js";
import { logHookNote } from "../hooks/hook-log.js";
import { isHookAgent, type HookEvent } from "../hooks/hook-input.js";
import { runHook } from "../hooks/run-hook.js";
import { resolveWorkspace } from "../workspace.js";

const EVENTS: Readonly<Record<string, HookEvent>> = {
  prompt: "prompt",
  stop: "stop",
  UserPromptSubmit: "prompt",
  Stop: "stop",
  beforeSubmitPrompt: "prompt",
};

// An editor closes the hook's stdin once it has written the input; this only guards against one
// that never does (or a hook run by hand), so the prompt is not held up.
const STDIN_TIMEOUT_MS = 10_000;

export async function run({ flags, positionals, io }: CommandInput<"hook">): Promise<number> {
  const agent = positionals[0];
  // Nothing on stderr, whatever happens: what went wrong goes to the hook log (hook-log.ts).
  const note = (workspace: string, text: string) =>
    logHookNote(layoutFor(workspace), { agent: agent ?? "(none)", note: text }, io.env, new Date()).catch(() => undefined); // a log that cannot be written must not fail the prompt either
  if (!isHookAgent(agent)) {
    await note(resolveWorkspace(flags, io.cwd), `${agent === undefined ? "no agent given" : `unknown agent \`${agent}\``}; expected claude-code or cursor (nothing done)`);
    return 0;
  }
  const eventFlag = flags.event;
  const event = eventFlag === undefined ? undefined : EVENTS[eventFlag];
  if (eventFlag !== undefined && event === undefined) {
    await note(resolveWorkspace(flags, io.cwd), `--event must be prompt or stop, got \`${eventFlag}\` (nothing done)`);
    if (agent === "cursor") io.stdout.write(`${JSON.stringify({ continue: true })}\n`);
    return 0;
  }
  const outcome = await runHook({
    agent,
    ...(event !== undefined ? { event } : {}),
    ...(flags.workspace !== undefined ? { workspace: flags.workspace } : {}),
    stdin: await readStdin(io.stdin),
    cwd: io.cwd,
    env: io.env,
    now: new Date(),
  });
  io.stdout.write(outcome.stdout);
  if (outcome.note) await note(outcome.workspace, outcome.note);
  return 0;
}

async function readStdin(stdin: CliIo["stdin"]): Promise<string> {
  if (stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  const timer = setTimeout(() => stdin.destroy(), STDIN_TIMEOUT_MS);
  try {
    for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  } catch {
    // destroyed by the timer, or a broken pipe: use what arrived
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
