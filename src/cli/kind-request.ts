// The shared body of `diagnose`, `patch` and `micro`: write a request of that kind to the inbox
// (the daemon's queue, claims and RESULT apply as to any request) and, when asked, wait for it.
import { layoutFor, type Layout } from "../protocol/layout.js";
import { publishRequest } from "../protocol/publish-request.js";
import { renderRequest } from "../protocol/render-request.js";
import type { RequestKind } from "../protocol/request-text.js";
import type { CommandInput } from "./command.js";
import { resolveWorkspace } from "./workspace.js";

/** How a request is published; `joined` when an open request was reused instead (one approval, one patch run). */
export type Publish = (layout: Layout, markdown: string, now: Date) => Promise<{ id: string; joined: boolean }>;

const publishNew: Publish = async (layout, markdown, now) => ({ id: await publishRequest(layout, markdown, now), joined: false });

export async function publishKind({ flags, io }: CommandInput, kind: RequestKind, issue: string, wait: boolean, publish: Publish = publishNew): Promise<number> {
  const layout = layoutFor(resolveWorkspace(flags, io.cwd));
  const now = new Date();
  const files = typeof flags.files === "string" ? flags.files.split(",").map((f) => f.trim()).filter(Boolean) : undefined;
  const markdown = renderRequest({
    kind,
    issue,
    files,
    model: typeof flags.model === "string" && flags.model ? flags.model : undefined,
    requestedBy: `codex-relay ${kind}`,
    createdAt: now,
  });
  const { id, joined } = await publish(layout, markdown, now);
  if (joined) io.stderr.write(`codex-relay: ${kind} request ${id} is already queued or running for this approval; joining it\n`);
  if (!wait) {
    io.stdout.write(flags.json ? `${JSON.stringify({ id, request: layout.request(id), result: layout.result(id, "json") })}\n` : `${id}\n`);
    return 0;
  }
  if (!joined) io.stderr.write(`codex-relay: ${kind} request ${id} written; waiting for its RESULT\n`);
  const { awaitAndPrint } = await import("./wait-and-print.js");
  const timeoutS = typeof flags.timeout === "number" ? flags.timeout : undefined;
  return awaitAndPrint(io, layout, id, { json: flags.json === true, timeoutS, processIfNoDaemon: true });
}
