// The shared tail of `delegate`, `diagnose`, `patch` and `micro`: render a request, publish it into
// the inbox (the daemon's queue, claims and RESULT apply as to any request), then print its id or
// wait for its RESULT, processing it here when no daemon serves the workspace.
import { loadWorkspaceRedactor } from "../context/workspace-redactor.js";
import { layoutFor, type Layout } from "../protocol/layout.js";
import { publishRequest } from "../protocol/publish-request.js";
import { renderRequest, type RenderRequestFields } from "../protocol/render-request.js";
import type { Redactor } from "../security/redact.js";
import type { CliIo } from "./command.js";
import { existingWorkspace } from "./workspace.js";

/** The flags every publishing command shares. */
export interface PublishFlags {
  readonly workspace?: string | undefined;
  readonly json?: boolean | undefined;
  readonly timeout?: number | undefined;
}

/** How a request is published; `joined` when an open request was reused instead (one approval, one patch run). */
export type Publish = (layout: Layout, markdown: string, now: Date, redactor: Redactor) => Promise<{ id: string; joined: boolean }>;

const publishNew: Publish = async (layout, markdown, now, redactor) => ({ id: await publishRequest(layout, markdown, now, redactor), joined: false });

export async function publishAndMaybeWait(
  io: CliIo,
  flags: PublishFlags,
  fields: Omit<RenderRequestFields, "createdAt">,
  wait: boolean,
  publish: Publish = publishNew,
): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  // The config first, before anything is written: it says what is secret, and a request written
  // under a config that does not validate would wait for a daemon that cannot start, then run
  // unexpectedly once someone fixes it. An invalid config is a usage error (exit 2, see bin.ts).
  const redactor = await loadWorkspaceRedactor(layout, io.env);
  const now = new Date();
  const { id, joined } = await publish(layout, renderRequest({ ...fields, createdAt: now }), now, redactor);
  const what = fields.kind === undefined || fields.kind === "analysis" ? "request" : `${fields.kind} request`;
  if (joined) io.stderr.write(`codex-relay: ${what} ${id} is already queued or running for this approval; joining it\n`);
  if (!wait) {
    io.stdout.write(flags.json ? `${JSON.stringify({ id, request: layout.request(id), result: layout.result(id, "json") })}\n` : `${id}\n`);
    return 0;
  }
  if (!joined) io.stderr.write(`codex-relay: ${what} ${id} written; waiting for its RESULT\n`);
  // Loaded only here, so a `delegate` that does not wait stays as quick as it was.
  const { awaitAndPrint } = await import("./wait-and-print.js");
  return awaitAndPrint(io, layout, id, { json: flags.json === true, timeoutS: flags.timeout, processIfNoDaemon: true });
}

/** A text flag when it says something; blank counts as not given. */
export function given(value: string | undefined): string | undefined {
  return value?.trim() ? value : undefined;
}

/** `--files "a.ts, b.ts"` as a list of paths. */
export function fileList(value: string | undefined): string[] | undefined {
  return value?.split(",").map((file) => file.trim()).filter(Boolean);
}
