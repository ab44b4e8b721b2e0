// The attempt loop end to end (the REAL codex against the scripted model): the attempts a failed
// or repaired patch reports are the Codex runs it made, the same in the RESULT, the report, the
// ledger and the daemon log.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { editFile, patchReply } from "../fixtures/patch-project.js";
import { makePatchWorkspace, outFiles, runKind } from "../helpers/patch-workspace.js";
import type { TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

const patchFinished = (ws: TestWorkspace, id: string) =>
  readFileSync(ws.layout.logFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === "patch finished" && e.id === id);

/** Two Codex runs that each leave `add` broken: the first, and the repair. */
const brokenTwice = () => [
  editFile("src/math.js", "  return a - b;", "  return a * b;"),
  patchReply(),
  editFile("src/math.js", "  return a * b;", "  return a / b;"),
  patchReply(),
];

describe("attempt counts", () => {
  it("a patch that stays broken after its repair says 2 attempts everywhere, as it ran Codex twice", async () => {
    ws = await makePatchWorkspace(); // repair_attempts = 1: two Codex runs in all
    ws.server.enqueue(...brokenTwice());
    const { id, result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("failed");
    expect(result.error.message).toContain("after 2 attempt(s)");
    const [report] = await outFiles(ws, /^codex-patch-FAILED-\d{8}-\d{6}\.md$/);
    const text = await readFile(path.join(ws.dir, "out", report!), "utf8");
    expect(text).toContain("- **Codex runs**: 2 ");
    expect(text).not.toContain("3 Codex runs");
    expect(patchFinished(ws, id)).toMatchObject({ status: "failed", attempts: 2 });
  });

  it("a micro edit that stays broken says 2 in micro-<id>.json and in its failure pattern", async () => {
    ws = await makePatchWorkspace({ prerequisites: false }); // micro attempts = 2
    ws.server.enqueue(...brokenTwice());
    const { id, result } = await runKind(ws, "micro", "Make add() add instead of subtract");
    expect(result.status).toBe("failed");
    expect(result.error.message).toContain("after 2 attempt(s)");
    const micro = JSON.parse(await readFile(path.join(ws.dir, "out", `micro-${id}.json`), "utf8"));
    expect(micro.execution.attempts).toBe(2);
    const pattern = JSON.parse(readFileSync(path.join(ws.dir, "out/failure-patterns.jsonl"), "utf8").trim());
    expect(pattern.lessons).toContain("2 Codex runs (1 with the failure fed back) did not fix it: re-diagnose");
  });

  it("a patch that passes on its first run says 1", async () => {
    ws = await makePatchWorkspace();
    ws.server.enqueue(editFile("src/math.js", "  return a - b;", "  return a + b;"), patchReply());
    const { id, result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("completed");
    const [report] = await outFiles(ws, /^codex-patch-\d{8}-\d{6}\.md$/);
    expect(await readFile(path.join(ws.dir, "out", report!), "utf8")).toContain("- **Codex runs**: 1 ");
    expect(patchFinished(ws, id)).toMatchObject({ status: "passed", attempts: 1 });
  });
});
