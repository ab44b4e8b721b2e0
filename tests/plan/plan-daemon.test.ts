// A plan run through the daemon (which queues it in the patch lane, as it writes code): each step
// is committed (the REAL codex, scripted edits) on codex/plan-<id>, one on the other.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { publishRequest } from "../../src/protocol/publish-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import { PLAN_ROUTE_DECISION, STEP_REPLIES, writeHandPlan } from "../fixtures/plan-project.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace } from "../helpers/patch-workspace.js";
import { relayContext, until, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.stop({ graceMs: 0 });
  daemon = undefined;
  await ws?.cleanup();
});

it("runs a plan-run request through the daemon to one commit per step on codex/plan-<id>", async () => {
  ws = await makePatchWorkspace({ prerequisites: false });
  const plan = "20260101_120000";
  await writeHandPlan(ws.dir, plan, PLAN_ROUTE_DECISION);
  ws.server.enqueue(...STEP_REPLIES[1], ...STEP_REPLIES[2]);
  const ctx = await relayContext(ws);
  daemon = new Daemon(ctx);
  await daemon.start();
  const now = new Date();
  const id = await publishRequest(ctx.layout, renderRequest({ kind: "plan-run", issue: "run it", extra: { plan, from: "1" }, createdAt: now }), now, ctx.redactor);
  await until(async () => (await readdir(ws.layout.inbox)).includes(`CODEX_DELEGATION_RESULT_${id}.json`), "the plan run's RESULT", 90_000);
  const result = JSON.parse(await readFile(ws.layout.result(id, "json"), "utf8"));
  expect(result).toMatchObject({ kind: "plan-run", status: "completed", codex: { sandbox: "workspace-write" } });
  const head = git(ws.dir, "rev-parse", "HEAD").trim();
  const subjects = git(ws.dir, "log", "--reverse", "--format=%s", `${head}..codex/plan-${plan}`).trim().split("\n");
  expect(subjects).toEqual(["feat(math): fix add", "feat(math): export two"]);
  const log = (await readFile(path.join(ws.layout.relay, "daemon.log.jsonl"), "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
  expect(log.filter((e) => e.event === "plan step started").map((e) => e.step)).toEqual([1, 2]);
});
