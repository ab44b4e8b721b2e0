// A real git repository set up for the patch workflow: a tiny Node project with a bug (`add`
// subtracts), its verification command, a task packet, a route decision and a diagnosis. Plus the
// model replies that make the REAL codex edit files in the sandbox worktree.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createLogger } from "../../src/context/logger.js";
import { processRequest } from "../../src/daemon/process-request.js";
import { createRelayContext, type RelayContext } from "../../src/context/relay-context.js";
import { publishRequest } from "../../src/protocol/publish-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import type { RequestKind } from "../../src/protocol/request-text.js";
import { applyPatch, jsonMessage, type Reply } from "./model-server.js";
import { makeTestWorkspace, type TestWorkspace, type WorkspaceOptions } from "./relay-workspace.js";

export const BUGGY = "export function add(a, b) {\n  return a - b;\n}\n";
export const FIXED = "export function add(a, b) {\n  return a + b;\n}\n";

export const TASK_PACKET = `# Fix add()

add(2, 3) returns -1 instead of 5.

## Verification
\`\`\`bash
node test.js
\`\`\`
`;

export const ROUTE_DECISION = `---
permission: codex-rw
approved_by: claude-chair
---
# Route decision

## Approved Files
- \`src/math.js\`
`;

export const DIAGNOSIS = `# Diagnosis: Fix add()

## Root Cause
add() subtracts.

## Recommended Fix
Use \`+\` in src/math.js.
`;

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" });
}

/** A workspace with the buggy project committed and (unless told otherwise) all three prerequisites written. */
export async function makePatchWorkspace(options: WorkspaceOptions & { prerequisites?: boolean } = {}): Promise<TestWorkspace> {
  const ws = await makeTestWorkspace(options);
  await mkdir(path.join(ws.dir, "src"), { recursive: true });
  await writeFile(path.join(ws.dir, "src/math.js"), BUGGY);
  await writeFile(path.join(ws.dir, "src/util.js"), "export const one = 1;\n");
  await writeFile(
    path.join(ws.dir, "test.js"),
    'import { add } from "./src/math.js";\nconst got = add(2, 3);\nif (got !== 5) {\n  console.error(`FAIL add(2, 3) = ${got}, expected 5`);\n  process.exit(1);\n}\nconsole.log("ok add");\n',
  );
  await writeFile(path.join(ws.dir, "package.json"), `${JSON.stringify({ name: "demo", type: "module", private: true, scripts: { test: "node test.js" } }, null, 2)}\n`);
  await writeFile(path.join(ws.dir, ".gitignore"), "node_modules/\n.autonomous_runs/\n");
  git(ws.dir, "add", ".");
  git(ws.dir, "commit", "-qm", "demo project");
  if (options.prerequisites !== false) await writePrerequisites(ws);
  return ws;
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

/** An apply_patch call replacing `from` lines with `to` lines in `file` (worktree-relative). */
export function editFile(file: string, from: string, to: string): Reply {
  const minus = from.split("\n").map((l) => `-${l}`).join("\n");
  const plus = to.split("\n").map((l) => `+${l}`).join("\n");
  return applyPatch(`*** Begin Patch\n*** Update File: ${file}\n@@\n${minus}\n${plus}\n*** End Patch`);
}

export function addFile(file: string, content: string): Reply {
  const lines = content.replace(/\n$/, "").split("\n").map((l) => `+${l}`).join("\n");
  return applyPatch(`*** Begin Patch\n*** Add File: ${file}\n${lines}\n*** End Patch`);
}

/** The final message of a patch run, as the output schema asks. */
export function patchReply(overrides: Record<string, unknown> = {}): Reply {
  return jsonMessage({
    summary: "add() now adds",
    commit: { type: "fix", scope: "math", subject: "Fixed the add operator", body: "add() subtracted its arguments; it now adds them." },
    files: [{ path: "src/math.js", rationale: "the operator was wrong" }],
    rationale: "The diagnosis found a minus where a plus belongs.",
    ...overrides,
  });
}

/** The model's side of a passing patch: fix the file, then reply. */
export function fixReplies(): Reply[] {
  return [editFile("src/math.js", "  return a - b;", "  return a + b;"), patchReply()];
}

export async function relayContext(ws: TestWorkspace): Promise<RelayContext> {
  return createRelayContext({ workspace: ws.dir, env: ws.env, logger: (redactor, layout) => createLogger({ file: layout.logFile, redactor }) });
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
