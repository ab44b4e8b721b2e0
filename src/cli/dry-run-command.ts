// `--dry-run` of delegate, diagnose, patch, micro and run: the request as it would be written
// (rendered and redacted as publishing does) or read, parsed as the daemon parses it, and what
// processing it would send and spawn (daemon/dry-run.ts), printed as text or JSON. Exits 0 having
// written nothing (not even the relay's folders) and spawned nothing.
import { createRelayContext } from "../context/relay-context.js";
import { dryRun } from "../daemon/dry-run.js";
import { RelayError } from "../errors.js";
import { layoutFor } from "../protocol/layout.js";
import { parseRequest } from "../protocol/parse-request.js";
import { renderRequest, type RenderRequestFields } from "../protocol/render-request.js";
import { formatRequestId } from "../protocol/request-id.js";
import { renderDryRun } from "../report/dry-run-report.js";
import { loadTemplate } from "../report/templates.js";
import type { CliIo } from "./command.js";
import type { PublishFlags } from "./publish-and-wait.js";
import { existingWorkspace } from "./workspace.js";

/** The request: fields to render (as `delegate` and its siblings would), or a file's text and the id it has or would get. */
export type DryRunSource = { readonly fields: Omit<RenderRequestFields, "createdAt"> } | { readonly text: string; readonly id?: string | undefined };

export async function printDryRun(io: CliIo, flags: PublishFlags, source: DryRunSource): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd));
  const ctx = await createRelayContext({ workspace: layout.workspace, env: io.env, readOnly: true });
  const now = new Date();
  const markdown = "fields" in source ? renderRequest({ ...source.fields, createdAt: now }) : source.text;
  // Publishing redacts the request before anyone reads it; the daemon parses what was written.
  const text = ctx.redactor.redact(markdown);
  const parsed = parseRequest(text);
  if (!parsed.ok) throw new RelayError("invalid_request", `the request would be rejected: ${parsed.reason}`);
  const id = ("id" in source && source.id) || formatRequestId(now);
  const report = await dryRun(ctx, id, parsed.request, text);
  io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderDryRun(await loadTemplate("dry-run.md", layout.templates), report));
  return 0;
}
