// `[approval] level` end to end, with the real codex and the model fixture: `manual` holds a
// request until `codex-relay approve`; `delegate` approves a diagnosis inside `auto_files` and the
// patch runs, and stops at a `halt_on` file for a person. Every approval names who granted it in
// the RESULT, the ledger and the audit commit.
import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { jsonMessage, type RecordedRequest, type Reply } from "../fixtures/model-server.js";
import { FIXED, TASK_PACKET, editFile, patchReply } from "../fixtures/patch-project.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace } from "../helpers/patch-workspace.js";
import { analysisReply, logEvents, relayContext, startDaemonProcess, until, type DaemonProcess, type TestWorkspace } from "../helpers/relay-workspace.js";

// Undone last first: the daemons, then their workspace.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function patchWorkspace(toml: string): Promise<TestWorkspace> {
  const w = await makePatchWorkspace({ prerequisites: false, toml });
  cleanups.push(() => w.cleanup());
  return w;
}

async function inProcessDaemon(w: TestWorkspace): Promise<Daemon> {
  const daemon = new Daemon(await relayContext(w));
  cleanups.push(() => daemon.stop({ graceMs: 0 }));
  await daemon.start();
  return daemon;
}

async function daemonProcess(w: TestWorkspace): Promise<DaemonProcess> {
  const child = await startDaemonProcess(w);
  cleanups.push(() => child.kill());
  return child;
}

const DELEGATE_TOML = '[approval]\nlevel = "delegate"\nauto_files = ["src/**"]\nhalt_on = ["package.json", ".github/**"]\n';

function diagnosisReply(files: string[]): Record<string, unknown> {
  return {
    root_cause: "add() uses a minus sign.",
    technical_explanation: "src/math.js returns a - b.",
    recommended_fix: "Return a + b in src/math.js.",
    files_to_change: files.map((file) => ({ path: file, reason: "holds add()" })),
    needs_write: true,
    risks: [],
    verification_notes: "node test.js prints ok add",
    confidence: "high",
  };
}

/** Diagnoses read-only prompts (naming `files`), and fixes the bug in patch prompts. */
function scriptedModel(files: string[]): (request: RecordedRequest) => Reply {
  return (request) => {
    if (request.text.includes("running READ-ONLY")) return jsonMessage(diagnosisReply(files));
    const patched = request.body?.input?.some((item: any) => item?.type === "custom_tool_call_output");
    return patched ? patchReply() : editFile("src/math.js", "  return a - b;", "  return a + b;");
  };
}

async function results(w: TestWorkspace): Promise<Record<string, any>[]> {
  const names = (await readdir(w.layout.inbox)).filter((n) => /^CODEX_DELEGATION_RESULT_.*\.json$/.test(n)).sort();
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(w.layout.inbox, n), "utf8"))));
}

function ledger(w: TestWorkspace): Record<string, any>[] {
  const file = path.join(w.dir, "progress/ledger.jsonl");
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line)) : [];
}

function auditMessages(w: TestWorkspace): string {
  try {
    return git(w.dir, "log", "codex-relay/audit", "--format=%B");
  } catch {
    return ""; // no audit branch yet
  }
}

describe('level = "manual"', () => {
  it("holds a request until `codex-relay approve --by`, then runs it and records who approved", async () => {
    const w = await patchWorkspace('[approval]\nlevel = "manual"\n');
    w.server.setDefault(jsonMessage(analysisReply()));
    await daemonProcess(w);
    const id = (await w.cli(["delegate", "--issue", "needs a human yes"])).stdout.trim();
    await until(() => logEvents(w.layout).some((e) => e.event === "awaiting approval" && e.id === id), '"awaiting approval"');
    expect((await w.cli(["status"])).stdout).toMatch(new RegExp(`^${id}\\s+analysis\\s+awaiting approval\\s`, "m"));
    expect((await w.cli(["show", id])).stdout.trim()).toBe(`${id}: awaiting approval`);
    expect(w.server.requests).toHaveLength(0);

    expect((await w.cli(["approve", id, "--by", "alice"])).exitCode).toBe(0);
    await until(() => existsSync(w.layout.result(id, "json")), "the RESULT after approval", 60_000);
    const result = JSON.parse(readFileSync(w.layout.result(id, "json"), "utf8"));
    expect(result.status).toBe("completed");
    expect(result.approval).toMatchObject({ level: "manual", via: "approve marker", approved_by: "alice" });
    expect(readFileSync(w.layout.result(id, "md"), "utf8")).toContain("- **Approval:** alice (approve marker, level manual)");
    expect(ledger(w)).toEqual([expect.objectContaining({ skill: "approval", id, level: "manual", approved_by: "alice", via: "approve marker" })]);
    await until(() => auditMessages(w).includes(`Codex-Relay-Request: ${id}`), "the audit commit", 30_000);
    expect(auditMessages(w)).toContain("Codex-Relay-Approved-By: alice (approve marker)");
  });

  it("`codex-relay run` or `delegate --wait` with no daemon runs nothing unapproved, and says how to approve it", async () => {
    const w = await patchWorkspace('[approval]\nlevel = "manual"\n');
    const file = path.join(w.dir, "request.md");
    await writeFile(file, "## Issue\nneeds a human yes\n");
    const run = await w.cli(["run", file]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/awaits approval \(\[approval\] level = "manual"\): `codex-relay approve \d{8}_\d{6}`/);
    // Nor does `delegate --wait`, which processes a request itself when no daemon runs: it waits.
    const waited = await w.cli(["delegate", "--issue", "still needs a yes", "--wait", "--timeout", "1"]);
    expect(waited.exitCode).toBe(124);
    expect(waited.stderr).toContain("awaits approval");
    expect(w.server.requests).toHaveLength(0);
  });
});

/** A daemon diagnoses the task packet (naming `files`) and settles: every RESULT then. */
async function diagnosedOnly(w: TestWorkspace, files: string[]): Promise<Record<string, any>[]> {
  w.server.setDefault(scriptedModel(files));
  const daemon = await inProcessDaemon(w);
  await writeFile(path.join(w.dir, "progress/TASK_PACKET.md"), TASK_PACKET);
  await until(async () => (await results(w)).some((r) => r.kind === "diagnose"), "the diagnosis RESULT", 60_000);
  await daemon.sweep();
  await daemon.idle();
  return results(w);
}

describe('level = "delegate"', () => {
  it("approves a diagnosis whose files all match auto_files: the route decision names the policy, and the patch runs verified", async () => {
    const w = await patchWorkspace(DELEGATE_TOML);
    w.server.setDefault(scriptedModel(["src/math.js"]));
    const daemon = await inProcessDaemon(w);
    await writeFile(path.join(w.dir, "progress/TASK_PACKET.md"), TASK_PACKET);
    await until(async () => (await results(w)).some((r) => r.kind === "patch"), "the patch RESULT", 90_000);
    await daemon.idle();

    const [diagnose, patch] = await results(w);
    expect(diagnose).toMatchObject({ kind: "diagnose", status: "completed", approval: { level: "delegate", via: "delegate policy", approved_by: "codex-relay (delegate policy)" } });
    expect(diagnose!.summary).toContain("the delegate policy approved src/math.js");
    const route = readFileSync(path.join(w.dir, "progress/ROUTE_DECISION.md"), "utf8");
    expect(route).toContain('approved_by: "codex-relay (delegate policy)"');
    expect(route).toMatch(/Diagnosis: out\/codex-diagnosis-\d{8}-\d{6}\.md/);
    expect(route).toMatch(/diagnosis_sha256: [0-9a-f]{64}/);
    expect(route).toContain("- src/math.js");

    expect(patch).toMatchObject({ kind: "patch", status: "completed", approval: { via: "delegate policy", approved_by: "codex-relay (delegate policy)" } });
    expect(git(w.dir, "show", `codex/patch-${patch!.id}:src/math.js`)).toBe(FIXED);
    expect(git(w.dir, "log", "-1", "--format=%B", `codex/patch-${patch!.id}`)).toContain("Codex-Relay-Approved-By: codex-relay (delegate policy)");
    const lines = ledger(w);
    expect(lines[0]).toMatchObject({ skill: "approval", id: diagnose!.id, via: "delegate policy", approved_by: "codex-relay (delegate policy)", files_approved: ["src/math.js"] });
    expect(lines[1]).toMatchObject({ skill: "codex-patch-rw", id: patch!.id, verification_passed: true, approved_by: "codex-relay (delegate policy)" });
    await until(() => auditMessages(w).includes(`Codex-Relay-Request: ${patch!.id}`), "the patch's audit commit", 30_000);
    expect(auditMessages(w)).toContain("Codex-Relay-Approved-By: codex-relay (delegate policy) (delegate policy)");
  });

  it("stops at a halt_on file: no route decision, no patch, and the RESULT says a person must approve and why", async () => {
    const w = await patchWorkspace(DELEGATE_TOML);
    const all = await diagnosedOnly(w, ["src/math.js", "package.json"]);
    expect(all.map((r) => r.kind)).toEqual(["diagnose"]);
    const [diagnose] = all;
    expect(diagnose!.approval).toMatchObject({ level: "delegate", via: "delegate policy", approved_by: null });
    expect(diagnose!.approval.detail).toContain("`package.json` matches approval.halt_on `package.json`");
    expect(diagnose!.summary).toContain("awaiting a person");
    expect(diagnose!.summary).toContain("write progress/ROUTE_DECISION.md to approve it");
    expect(readFileSync(w.layout.result(diagnose!.id, "md"), "utf8")).toContain("- **Approval:** none yet: a person must approve (level delegate): not approved by the delegate policy:");
    expect((await w.cli(["status"])).stdout).toMatch(new RegExp(`^${diagnose!.id}\\s+diagnose\\s+completed; its patch awaits a person \\(the delegate policy did not approve it\\)`, "m"));
    expect(existsSync(path.join(w.dir, "progress/ROUTE_DECISION.md"))).toBe(false);
    expect((await readdir(w.layout.inbox)).filter((n) => n.startsWith("CODEX_DELEGATION_REQUEST_"))).toHaveLength(1);
    expect(ledger(w)).toEqual([]);
    // One read-only diagnosis turn reached the model, nothing more.
    expect(w.server.requests.every((r) => r.text.includes("running READ-ONLY"))).toBe(true);
  });

  it("under `[patch] auto_patch = false` writes the route decision but queues no patch, and status says it awaits `codex-relay patch`", async () => {
    const w = await patchWorkspace(`${DELEGATE_TOML}\n[patch]\nauto_patch = false\n`);
    const all = await diagnosedOnly(w, ["src/math.js"]);
    expect(all.map((r) => r.kind)).toEqual(["diagnose"]);
    const [diagnose] = all;
    expect(diagnose!.approval).toMatchObject({ level: "delegate", via: "delegate policy", approved_by: "codex-relay (delegate policy)" });
    expect(diagnose!.summary).toContain("the delegate policy approved src/math.js; no patch queued ([patch] auto_patch = false): `codex-relay patch` runs it");
    expect(readFileSync(path.join(w.dir, "progress/ROUTE_DECISION.md"), "utf8")).toContain('approved_by: "codex-relay (delegate policy)"');
    expect((await readdir(w.layout.inbox)).filter((n) => n.startsWith("CODEX_DELEGATION_REQUEST_"))).toHaveLength(1);
    expect((await w.cli(["status"])).stdout).toMatch(new RegExp(`^${diagnose!.id}\\s+diagnose\\s+completed; its patch is approved and awaits \`codex-relay patch\``, "m"));
    expect(w.server.requests.every((r) => r.text.includes("running READ-ONLY"))).toBe(true);
  });
});
