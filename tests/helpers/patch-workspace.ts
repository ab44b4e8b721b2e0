// A real git repository set up for the patch workflow: the demo project of
// tests/fixtures/patch-project.ts committed, with its task packet, route decision and diagnosis,
// and ways to run a kind of request on it in this process.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { processRequest } from "../../src/daemon/process-request.js";
import type { RelayContext } from "../../src/context/relay-context.js";
import { publishRequest } from "../../src/protocol/publish-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import type { RequestKind } from "../../src/protocol/request-text.js";
import { BUGGY, DIAGNOSIS, ROUTE_DECISION, TASK_PACKET, TEST_JS } from "../fixtures/patch-project.js";
import { git } from "./gitdir.js";
import { writeFiles } from "./testdir.js";
import { makeTestWorkspace, relayContext, type TestWorkspace, type WorkspaceOptions } from "./relay-workspace.js";

/** A workspace with the buggy project committed and (unless told otherwise) all three prerequisites written. */
export async function makePatchWorkspace(options: WorkspaceOptions & { prerequisites?: boolean } = {}): Promise<TestWorkspace> {
  const ws = await makeTestWorkspace(options);
  await commitDemoProject(ws);
  if (options.prerequisites !== false) await writePrerequisites(ws);
  return ws;
}

/** Commit the buggy demo project into `ws` (no prerequisites). */
export async function commitDemoProject(ws: TestWorkspace): Promise<void> {
  await writeFiles(ws.dir, {
    "src/math.js": BUGGY,
    "src/util.js": "export const one = 1;\n",
    "test.js": TEST_JS,
    "package.json": `${JSON.stringify({ name: "demo", type: "module", private: true, scripts: { test: "node test.js" } }, null, 2)}\n`,
    ".gitignore": "node_modules/\n.autonomous_runs/\n",
  });
  git(ws.dir, "add", ".");
  git(ws.dir, "commit", "-qm", "demo project");
}

export async function writePrerequisites(ws: TestWorkspace, parts: { packet?: string | null; route?: string | null; diagnosis?: string | null } = {}): Promise<void> {
  await mkdir(path.join(ws.dir, "progress"), { recursive: true });
  await mkdir(path.join(ws.dir, "out"), { recursive: true });
  const packet = parts.packet === undefined ? TASK_PACKET : parts.packet;
  const route = parts.route === undefined ? ROUTE_DECISION : parts.route;
  const diagnosis = parts.diagnosis === undefined ? DIAGNOSIS : parts.diagnosis;
  if (packet !== null) await writeFile(path.join(ws.dir, "progress/TASK_PACKET.md"), packet);
  if (route !== null) await writeFile(path.join(ws.dir, "progress/ROUTE_DECISION.md"), route);
  if (diagnosis !== null) await writeFile(path.join(ws.dir, "out/codex-diagnosis-20250101-000000.md"), diagnosis);
}

/** Publish a request of `kind` and process it in this process, as `codex-relay run` would. */
export async function runKind(ws: TestWorkspace, kind: RequestKind, issue: string, extra: { files?: string[] } = {}): Promise<{ id: string; result: Record<string, any>; ctx: RelayContext }> {
  const ctx = await relayContext(ws);
  const now = new Date();
  const id = await publishRequest(ctx.layout, renderRequest({ kind, issue, files: extra.files, requestedBy: "test", createdAt: now }), now, ctx.redactor);
  const outcome = await processRequest(ctx, { id, detectedAt: now });
  if (outcome.kind !== "result") throw new Error("expected a RESULT");
  await ctx.background.drain();
  await ctx.logger.close();
  return { id, result: JSON.parse(await readFile(ws.layout.result(id, "json"), "utf8")), ctx };
}

export async function outFiles(ws: TestWorkspace, pattern: RegExp): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  return (await readdir(path.join(ws.dir, "out")).catch(() => [] as string[])).filter((f) => pattern.test(f)).sort();
}
