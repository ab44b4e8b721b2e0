// `codex-relay show <id>`: the RESULT when there is one, otherwise the request's current state.
import { layoutFor, ID_PATTERN } from "../../protocol/layout.js";
import { readResult } from "../../report/result-file.js";
import type { CliIo, CommandInput } from "../command.js";
import { printResult } from "../print-result.js";
import { requestState } from "../request-state.js";
import { resolveWorkspace } from "../workspace.js";

export async function run({ flags, positionals, io }: CommandInput): Promise<number> {
  const id = checkId(positionals[0], io);
  if (!id) return 2;
  const layout = layoutFor(resolveWorkspace(flags, io.cwd));
  const result = await readResult(layout, id);
  if (result) return printResult(io, layout, result, flags.json === true);
  const state = await requestState(layout, id);
  if (flags.json) io.stdout.write(`${JSON.stringify({ id, state })}\n`);
  else io.stdout.write(`${id}: ${state}\n`);
  return state === "unknown" ? 1 : 0;
}

/** A request id from argv (the bare id or a request/result file name), or undefined after saying why. */
export function checkId(raw: string | undefined, io: CliIo): string | undefined {
  const id = raw?.match(/(\d{8}_\d{6}(?:_\d+)?)/)?.[1];
  if (id && ID_PATTERN.test(id)) return id;
  io.stderr.write(`codex-relay: \`${raw ?? ""}\` is not a request id (expected YYYYMMDD_HHMMSS, as in CODEX_DELEGATION_REQUEST_<id>.md)\n`);
  return undefined;
}
