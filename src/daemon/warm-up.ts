// What the first request after `start` would otherwise pay on its own path, done by the daemon in
// the background once it is idle: loading the request reader, parser and runner with the
// analysis kind (~300 ms of module loading), asking Codex its version (a process) and writing
// the analysis output schema. Nothing here may fail a request: each request still does (and
// reports) all of it itself, finding it done.
import { codexVersion } from "../codex/codex-info.js";
import { resolveCodexBin } from "../codex/resolve-bin.js";
import type { RelayContext } from "../context/relay-context.js";

export async function warmRequestPath(ctx: RelayContext): Promise<void> {
  // The same module graph a request loads (daemon.ts and process-request.ts): imports are shared.
  await Promise.all([import("./read-request.js"), import("../protocol/parse-request.js")]);
  await import("./process-request.js");
  const [{ outputSchemaFile }, { ANALYSIS_REPLY }] = await Promise.all([import("../codex/reply-schema.js"), import("../analysis/run-analysis.js")]);
  await outputSchemaFile(ctx, ANALYSIS_REPLY);
  let bin: string;
  try {
    bin = resolveCodexBin({ configBin: ctx.config.codex.bin, env: ctx.env }).path;
  } catch {
    return; // no Codex: the request says so in its RESULT
  }
  await codexVersion(bin);
}
