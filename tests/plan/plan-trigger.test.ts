// A task packet marked `plan: true` is too big for one patch: the daemon plans it (read-only, the
// REAL codex against the scripted model) instead of diagnosing it.
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { planReply } from "../fixtures/plan-project.js";
import { makePatchWorkspace } from "../helpers/patch-workspace.js";
import { relayContext, until, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.stop({ graceMs: 0 });
  daemon = undefined;
  await ws?.cleanup();
});

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
  ws = await makePatchWorkspace({ prerequisites: false });
  ws.server.setDefault(planReply());
  daemon = new Daemon(await relayContext(ws));
  await daemon.start();
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
