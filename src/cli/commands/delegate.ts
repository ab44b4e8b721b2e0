// `codex-relay delegate`: the seed's delegate script as a command. Writes the request atomically;
// with --wait, returns its RESULT (processing it here when no daemon is running).
import { loadWorkspaceRedactor } from "../../context/workspace-redactor.js";
import { layoutFor } from "../../protocol/layout.js";
import { publishRequest } from "../../protocol/publish-request.js";
import { renderRequest } from "../../protocol/render-request.js";
import type { CommandInput } from "../command.js";
import { resolveWorkspace } from "../workspace.js";

export async function run({ flags, io }: CommandInput): Promise<number> {
  const issue = typeof flags.issue === "string" ? flags.issue.trim() : "";
  if (!issue) {
    io.stderr.write('codex-relay delegate: --issue "<what is wrong>" is required\n');
    return 2;
  }
  const layout = layoutFor(resolveWorkspace(flags, io.cwd));
  const now = new Date();
  const markdown = renderRequest({
    issue,
    context: str(flags.context),
    errorLogs: str(flags.logs),
    attemptedFixes: list(flags["attempted-fixes"]),
    questions: list(flags.questions),
    files: str(flags.files)?.split(",").map((f) => f.trim()).filter(Boolean),
    model: str(flags.model),
    requestedBy: str(flags["requested-by"]) ?? "codex-relay delegate",
    createdAt: now,
  });
  const id = await publishRequest(layout, markdown, now, await loadWorkspaceRedactor(layout.configFile, io.env));
  if (!flags.wait) {
    io.stdout.write(flags.json ? `${JSON.stringify({ id, request: layout.request(id), result: layout.result(id, "json") })}\n` : `${id}\n`);
    return 0;
  }
  io.stderr.write(`codex-relay: request ${id} written; waiting for its RESULT\n`);
  const { awaitAndPrint } = await import("../wait-and-print.js");
  return awaitAndPrint(io, layout, id, { json: flags.json === true, timeoutS: num(flags.timeout), processIfNoDaemon: true });
}

const str = (value: unknown) => (typeof value === "string" && value.trim() ? value : undefined);
const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : undefined);
const num = (value: unknown) => (typeof value === "number" ? value : undefined);
