// `codex-relay micro "<change>"`: a bounded micro edit (≤ 25 lines, ≤ 2 files by default) on
// branch codex/micro-<id>, checked by the project's quality gates. Waits for it unless --detach.
import type { CommandInput } from "../command.js";
import { publishKind } from "../kind-request.js";

export function run(input: CommandInput): Promise<number> {
  const change = input.positionals[0]?.trim() ?? "";
  if (!change) {
    input.io.stderr.write('codex-relay micro: describe the change, e.g. codex-relay micro "add a null check to validateEmail"\n');
    return Promise.resolve(2);
  }
  return publishKind(input, "micro", change, input.flags.detach !== true);
}
