// The approval chain (issue 10 §5): the diagnosis a route decision names is the one the REAL
// codex is given, both are named by sha256 in the report, the ledger and the commit; a diagnosis
// changed after approval is refused; one approval is one patch run, however many ask for it.
import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { ProgressWatcher } from "../../src/daemon/progress-watcher.js";
import { sha256 } from "../../src/util/sha256.js";
import { DIAGNOSIS, FIXED, fixReplies } from "../fixtures/patch-project.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace, outFiles, runKind, writePrerequisites } from "../helpers/patch-workspace.js";
import { relayContext, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

const OLDER = "out/codex-diagnosis-20260101-000000.md";
const NEWER = "out/codex-diagnosis-20260102-000000.md";
const OLDER_TEXT = DIAGNOSIS.replace("## Recommended Fix", "Marker: the approved older diagnosis.\n\n## Recommended Fix");
const NEWER_TEXT = DIAGNOSIS.replace("## Recommended Fix", "Marker: the newer diagnosis nobody approved.\n\n## Recommended Fix");
const routeNaming = (diagnosis: string) =>
  `---\npermission: codex-rw\napproved_by: claude-chair\n---\n# Route decision\n\nDiagnosis: ${diagnosis}\n\n## Approved Files\n- \`src/math.js\`\n`;

/** Two diagnoses, then a route decision naming the older one: written in the order an approver writes them. */
async function approveOlder(): Promise<string> {
  await writePrerequisites(ws, { route: null, diagnosis: null });
  await writeFile(path.join(ws.dir, OLDER), OLDER_TEXT);
  await writeFile(path.join(ws.dir, NEWER), NEWER_TEXT);
  const route = routeNaming(OLDER);
  await writeFile(path.join(ws.dir, "progress/ROUTE_DECISION.md"), route);
  // The approval is the route decision's last write; the diagnoses were read before it.
  await setTimes("progress/ROUTE_DECISION.md", "2026-01-03T00:00:00Z");
  await setTimes(OLDER, "2026-01-01T00:00:00Z");
  await setTimes(NEWER, "2026-01-02T00:00:00Z");
  return route;
}

async function setTimes(relative: string, iso: string): Promise<void> {
  await utimes(path.join(ws.dir, relative), new Date(iso), new Date(iso));
}

const ledgerLines = () =>
  existsSync(path.join(ws.dir, "progress/ledger.jsonl"))
    ? readFileSync(path.join(ws.dir, "progress/ledger.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
    : [];

const patchBranches = () => git(ws.dir, "branch", "--list", "codex/patch-*", "--format=%(refname:short)").trim().split("\n").filter(Boolean);

describe("the diagnosis named is the diagnosis used", () => {
  it("gives Codex the older diagnosis the route decision names, and records both hashes in the report, the ledger and the commit", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    const route = await approveOlder();
    ws.server.enqueue(...fixReplies());

    const { id, result } = await runKind(ws, "patch", "Apply the fix");

    expect(result.status).toBe("completed");
    const prompt = ws.server.requests[0]!.text;
    expect(prompt).toContain("Marker: the approved older diagnosis.");
    expect(prompt).not.toContain("Marker: the newer diagnosis nobody approved.");
    const diagnosisHash = sha256(OLDER_TEXT);
    const routeHash = sha256(route);
    const [report] = await outFiles(ws, /^codex-patch-\d{8}-\d{6}\.md$/);
    const reportText = await readFile(path.join(ws.dir, "out", report!), "utf8");
    expect(reportText).toContain(`- **Diagnosis**: \`${OLDER}\` · sha256 \`${diagnosisHash}\``);
    expect(reportText).toContain(`- **Route decision**: \`progress/ROUTE_DECISION.md\` · sha256 \`${routeHash}\``);
    expect(ledgerLines()).toEqual([expect.objectContaining({ id, input: OLDER, diagnosis_sha256: diagnosisHash, route_decision_sha256: routeHash })]);
    const message = git(ws.dir, "log", "-1", "--format=%B", `codex/patch-${id}`);
    expect(message).toContain(`Codex-Relay-Diagnosis-SHA256: ${diagnosisHash}\n`);
    expect(message).toContain(`Codex-Relay-Route-Decision-SHA256: ${routeHash}\n`);
    expect(git(ws.dir, "show", `codex/patch-${id}:src/math.js`)).toBe(FIXED);
  });

  it("refuses a named diagnosis edited after the approval as a stale approval, before Codex runs", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    await approveOlder();
    await writeFile(path.join(ws.dir, OLDER), OLDER_TEXT.replace("Use `+`", "Rewrite the whole module; use `+`"));
    await setTimes(OLDER, "2026-01-04T00:00:00Z");
    ws.server.enqueue(...fixReplies());

    const { id, result } = await runKind(ws, "patch", "Apply the fix");

    expect(result.status).toBe("rejected");
    expect(result.error.code).toBe("stale_approval");
    expect(result.error.message).toContain(`${OLDER} changed after progress/ROUTE_DECISION.md approved it`);
    expect(result.error.hint).toContain("save progress/ROUTE_DECISION.md again");
    expect(ws.server.requests).toHaveLength(0);
    expect(patchBranches()).toEqual([]);
    const [report] = await outFiles(ws, /^codex-patch-FAILED-/);
    expect(await readFile(path.join(ws.dir, "out", report!), "utf8")).toContain("`stale_approval`");
    expect(ledgerLines()).toEqual([expect.objectContaining({ id, status: "aborted" })]);
  });
});

describe("one approval, one patch run", () => {
  it("`codex-relay patch --wait` joins the run the route decision already queued: one branch, one report, one ledger line", async () => {
    ws = await makePatchWorkspace({ prerequisites: false, toml: "[patch]\nauto_diagnose = false\n" });
    await writePrerequisites(ws, { diagnosis: null });
    await writeFile(path.join(ws.dir, OLDER), DIAGNOSIS);
    await setTimes(OLDER, "2026-01-01T00:00:00Z");
    ws.server.setDefault((request) => (request.body?.input?.some((item: any) => item?.type === "custom_tool_call_output") ? fixReplies()[1]! : fixReplies()[0]!));
    // The daemon's trigger sees the approval and queues its patch (no daemon serves it yet).
    const ctx = await relayContext(ws);
    const watcher = new ProgressWatcher(ctx);
    const queued: string[] = [];
    watcher.on("request", ({ id }) => queued.push(id));
    await watcher.check();
    await watcher.close();
    expect(queued).toHaveLength(1);

    const cli = await ws.cli(["patch", "--wait", "--workspace", ws.dir], { timeoutMs: 180_000 });

    expect(cli.exitCode).toBe(0);
    // Whatever is still queued runs now: a second request would be a second patch run.
    const daemon = new Daemon(await relayContext(ws));
    await daemon.start();
    await daemon.sweep();
    await daemon.idle();
    await daemon.stop();
    await ctx.logger.close();
    const requests = (await readdir(ws.layout.inbox)).filter((n) => n.startsWith("CODEX_DELEGATION_REQUEST_"));
    expect(requests).toEqual([`CODEX_DELEGATION_REQUEST_${queued[0]}.md`]);
    expect(patchBranches()).toEqual([`codex/patch-${queued[0]}`]);
    expect(await outFiles(ws, /^codex-patch-/)).toHaveLength(1);
    expect(ledgerLines()).toHaveLength(1);
    expect(cli.stderr).toContain(`patch request ${queued[0]} is already queued or running for this approval; joining it`);
    expect(cli.stdout).toContain("completed");
  });

  it("the daemon's trigger joins a run `codex-relay patch` queued first", async () => {
    ws = await makePatchWorkspace({ toml: "[patch]\nauto_diagnose = false\n" });
    const cli = await ws.cli(["patch", "--workspace", ws.dir]);
    expect(cli.exitCode).toBe(0);
    const id = cli.stdout.trim();
    const ctx = await relayContext(ws);
    const watcher = new ProgressWatcher(ctx);
    const queued: string[] = [];
    watcher.on("request", (request) => queued.push(request.id));
    await watcher.check();
    await watcher.close();
    await ctx.logger.close();
    expect(queued).toEqual([]);
    expect((await readdir(ws.layout.inbox)).filter((n) => n.startsWith("CODEX_DELEGATION_REQUEST_"))).toEqual([`CODEX_DELEGATION_REQUEST_${id}.md`]);
  });
});
