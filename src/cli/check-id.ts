// A request id from argv, as `show`, `wait`, `cancel` and `approve` take it.
import { ID_PATTERN } from "../protocol/layout.js";
import type { CliIo } from "./command.js";

/** A request id from argv (the bare id or a request/result file name), or undefined after saying why. */
export function checkId(raw: string | undefined, io: CliIo): string | undefined {
  const id = raw?.match(/(\d{8}_\d{6}(?:_\d+)?)/)?.[1];
  if (id && ID_PATTERN.test(id)) return id;
  io.stderr.write(`codex-relay: \`${raw ?? ""}\` is not a request id (expected YYYYMMDD_HHMMSS, as in CODEX_DELEGATION_REQUEST_<id>.md)\n`);
  return undefined;
}
