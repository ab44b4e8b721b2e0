// The daemon killed from outside, again and again: 60 requests, `codex-relay start` SIGKILLed at
// 15 moments drawn from a seeded PRNG and started again each time. Whatever moment a kill hits,
// every request ends in exactly one completed RESULT and one audit commit, and nothing is left
// behind: no claim, temp file, Codex process or worktree.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { useDaemonSession } from "../helpers/daemon-session.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { auditCommitIds, publishByHand, resultIds, resultJson } from "../helpers/inbox.js";
import { analysisReply, groupMembers, logEvents, until } from "../helpers/relay-workspace.js";
import { prng } from "../helpers/prng.js";

const REQUESTS = 60;
const KILLS = 15;
const SEED = 0x5eed10;

const { workspace, startDaemon } = useDaemonSession();


const idOf = (n: number) => `20250301_${String(n).padStart(6, "0")}`;

describe("the daemon SIGKILLed at random moments", () => {
  it(`answers all ${REQUESTS} requests exactly once, commits each once, and leaves nothing behind after ${KILLS} kills`, async () => {
    const w = await workspace({ daemon: "concurrency = 2" });
    // A short pause before each answer keeps Codex running long enough for kills to land mid-run too.
    w.server.setDefault({ ...jsonMessage(analysisReply()), delayMs: 150 });
    const ids = Array.from({ length: REQUESTS }, (_, n) => idOf(n + 1));
    for (const id of ids) await publishByHand(w, id, `request ${id} survives the kills`);

    const random = prng(SEED);
    for (let kill = 0; kill < KILLS; kill += 1) {
      const daemon = await startDaemon(w);
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(random() * 2_400)));
      await daemon.stop("SIGKILL");
    }
    const daemon = await startDaemon(w);
    await until(async () => (await resultIds(w)).length === REQUESTS, `${REQUESTS} RESULTs`, 150_000);
    // Not fatal here: the summary below says which requests the audit branch lacks.
    await until(() => auditCommitIds(w).length >= REQUESTS, `${REQUESTS} audit commits`, 15_000).catch(() => undefined);
    const stopped = await daemon.stop("SIGTERM");
    expect(stopped.exitCode).toBe(0);

    const statuses: Record<string, number> = {};
    for (const id of ids) {
      const result = await resultJson(w, id);
      const status = result.error ? `${result.status}: ${result.error.code}` : String(result.status);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    const written = logEvents(w.layout).filter((e) => e.event === "result written").map((e) => String(e.id));
    const audited = auditCommitIds(w);
    const codexPids = logEvents(w.layout).flatMap((e) => (e.event === "codex started" && typeof e.pid === "number" ? [e.pid] : []));
    const worktrees = execFileSync("git", ["-C", w.dir, "worktree", "list", "--porcelain"], { encoding: "utf8" }).split("\n").filter((l) => l.startsWith("worktree "));
    const summary = {
      statuses,
      duplicateResults: written.length - new Set(written).size,
      auditCommits: audited.length,
      requestsAudited: new Set(audited).size,
      missingFromAudit: ids.filter((id) => !audited.includes(id)),
      leftoverClaims: existsSync(w.layout.claims) ? await readdir(w.layout.claims) : [],
      leftoverTemps: existsSync(w.layout.tmp) ? await readdir(w.layout.tmp) : [],
      liveCodex: codexPids.filter((pid) => groupMembers(pid).length > 0),
      worktrees: worktrees.length,
    };
    expect(summary).toEqual({
      statuses: { completed: REQUESTS },
      duplicateResults: 0,
      auditCommits: REQUESTS,
      requestsAudited: REQUESTS,
      missingFromAudit: [],
      leftoverClaims: [],
      leftoverTemps: [],
      liveCodex: [],
      worktrees: 1,
    });
  }, 280_000);
});
