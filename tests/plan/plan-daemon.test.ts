// Plans through the daemon: a task packet marked `plan: true` is planned (read-only, the REAL
// codex against the scripted model) instead of diagnosed, and a plan-run request (queued in the
// patch lane, as it writes code) commits each step on codex/plan-<id>, one on the other.
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { publishRequest } from "../../src/protocol/publish-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import { planReply, PLAN_ROUTE_DECISION, STEP_REPLIES, writeHandPlan } from "../fixtures/plan-project.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace } from "../helpers/patch-workspace.js";
import { resultJson, useInProcessDaemon } from "../helpers/in-process-daemon.js";
import { until } from "../helpers/relay-workspace.js";

const session = useInProcessDaemon();

const PACKET = `---
plan: true
---
# Tidy the math helpers

Fix add(), export two and add sub(), each on its own.

## Verification
\`\`\`
node test.js
\`\`\`
`;

it("plans a task packet marked `plan: true` into progress/plans/<id>/ instead of diagnosing it", async () => {
  const ws = await makePatchWorkspace({ prerequisites: false });
  ws.server.setDefault(planReply());
  await session.start(ws);
  await writeFile(path.join(ws.dir, "progress/TASK_PACKET.md"), PACKET);
  const resultFor = async () => {
    const names = (await readdir(ws.layout.inbox)).filter((n) => /^CODEX_DELEGATION_RESULT_.*\.json$/.test(n));
    return Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(ws.layout.inbox, n), "utf8"))));
  };
  await until(async () => (await resultFor()).length > 0, "the plan's RESULT", 60_000);
  const [result, ...others] = await resultFor();
  expect(others).toEqual([]);
  expect(result).toMatchObject({ kind: "plan", status: "completed", codex: { sandbox: "read-only" } });
  // Codex planned the packet: its title, description and verification are in the prompt.
  expect(ws.server.requests[0]!.text).toContain("# Change: Tidy the math helpers");
  expect(ws.server.requests[0]!.text).toContain("Fix add(), export two and add sub(), each on its own.");
  expect(ws.server.requests[0]!.text).toMatch(/Verification commands of the task\n- `node test.js`/);
  const plan = path.join(ws.dir, "progress/plans", result.id, "PLAN.md");
  expect(existsSync(plan)).toBe(true);
  expect(await readFile(plan, "utf8")).toContain("- **Goal**: progress/TASK_PACKET.md: Tidy the math helpers");
  expect(await readdir(path.join(ws.dir, "out")).catch(() => [])).not.toContainEqual(expect.stringMatching(/^codex-diagnosis-/));
});

it("runs a plan-run request through the daemon to one commit per step on codex/plan-<id>", async () => {
  const ws = await makePatchWorkspace({ prerequisites: false });
  const plan = "20260101_120000";
  await writeHandPlan(ws.dir, plan, PLAN_ROUTE_DECISION);
  ws.server.enqueue(...STEP_REPLIES[1], ...STEP_REPLIES[2]);
  const { ctx } = await session.start(ws);
  const now = new Date();
  const id = await publishRequest(ctx.layout, renderRequest({ kind: "plan-run", issue: "run it", extra: { plan, from: "1" }, createdAt: now }), now, ctx.redactor);
  const result = await resultJson(ws.layout, id, 90_000);
  expect(result).toMatchObject({ kind: "plan-run", status: "completed", codex: { sandbox: "workspace-write" } });
  const head = git(ws.dir, "rev-parse", "HEAD").trim();
  const subjects = git(ws.dir, "log", "--reverse", "--format=%s", `${head}..codex/plan-${plan}`).trim().split("\n");
  expect(subjects).toEqual(["feat(math): fix add", "feat(math): export two"]);
  const log = (await readFile(path.join(ws.layout.relay, "daemon.log.jsonl"), "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
  expect(log.filter((e) => e.event === "plan step started").map((e) => e.step)).toEqual([1, 2]);
});
