// Which Claude Code runs the hook, to pick how a Stop hook speaks: Claude Code 2.1.163 and later
// take `hookSpecificOutput.additionalContext` from a Stop hook (the agent goes on, and the UI
// shows it as hook feedback), older ones only `decision: "block"` (shown as a hook error).
// The version comes from the hook's environment (`AI_AGENT=claude-code_2-1-332_harness`, set by
// Claude Code for its hooks and Bash tool), else from the session transcript, whose records carry
// `"version":"2.1.332"`. Unknown: the old way, which every version understands.
import { open } from "node:fs/promises";

const STOP_CONTEXT_SINCE: readonly number[] = [2, 1, 163];
// The transcript's last records: enough for a few of them, whatever their size.
const TAIL_BYTES = 16 * 1024;

export async function stopTakesContext(env: Readonly<Record<string, string | undefined>>, transcriptPath: string | undefined): Promise<boolean> {
  const version = fromAgentEnv(env.AI_AGENT) ?? (transcriptPath === undefined ? undefined : await fromTranscript(transcriptPath));
  return version !== undefined && atLeast(version, STOP_CONTEXT_SINCE);
}

/** `claude-code_2-1-332_harness` → [2, 1, 332]. */
export function fromAgentEnv(value: string | undefined): number[] | undefined {
  const match = /^claude-code_(\d+)-(\d+)-(\d+)(?:_|$)/.exec(value ?? "");
  return match ? match.slice(1).map(Number) : undefined;
}

async function fromTranscript(file: string): Promise<number[] | undefined> {
  let text: string;
  try {
    const handle = await open(file, "r");
    try {
      const { size } = await handle.stat();
      const buffer = Buffer.alloc(Math.min(size, TAIL_BYTES));
      await handle.read(buffer, 0, buffer.length, size - buffer.length);
      text = buffer.toString("utf8");
    } finally {
      await handle.close();
    }
  } catch {
    return undefined; // no transcript to read: assume the old way
  }
  const versions = [...text.matchAll(/"version":"(\d+)\.(\d+)\.(\d+)"/g)];
  const last = versions.at(-1);
  return last ? last.slice(1, 4).map(Number) : undefined;
}

function atLeast(version: readonly number[], wanted: readonly number[]): boolean {
  for (let i = 0; i < wanted.length; i += 1) {
    if ((version[i] ?? 0) !== wanted[i]) return (version[i] ?? 0) > wanted[i]!;
  }
  return true;
}
