// Once a daemon is stopping it claims nothing new: a request whose claim was being made when the
// stop began is left for the next start, instead of running after the lock was released and the
// JSON log closed. The window is a claim's few file operations, so each round sends SIGTERM
// while requests flow through 8 slots, several rounds over.
import { readdir, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { useDaemonSession } from "../helpers/daemon-session.js";
import { logged, publishByHand, resultIds } from "../helpers/inbox.js";
import { logEvents, until } from "../helpers/relay-workspace.js";

const ROUNDS = 6;
const REQUESTS = 240;

const { workspace, startDaemon } = useDaemonSession();

describe("a daemon stopping", () => {
  it("claims nothing after it began to stop: nothing runs after its lock and log are gone", async () => {
    const w = await workspace({ daemon: "concurrency = 8" });
    // Cancelled requests: each one is claimed and answered (status cancelled) without Codex, fast.
    for (let n = 1; n <= REQUESTS; n += 1) {
      const id = `20250701_${String(n).padStart(6, "0")}`;
      await publishByHand(w, id, "cancelled before it ran");
      await writeFile(w.layout.cancel(id), "cancelled\n");
    }
    for (let round = 1; round <= ROUNDS; round += 1) {
      const answered = logged(w, "result written").length;
      const daemon = await startDaemon(w);
      // In full flow: each moment, some of its 8 slots are between reading a request and claiming it.
      await until(() => logged(w, "result written").length >= answered + 8, `round ${round} answering requests`);
      const exit = await daemon.stop("SIGTERM");
      expect(exit.exitCode).toBe(0);
      // What it printed after "daemon stopped" happened after its lock was released and its log closed.
      const after = exit.stdout.split("\n").filter(Boolean);
      const stoppedAt = after.findIndex((line) => / daemon stopped\b/.test(line));
      expect(stoppedAt).toBeGreaterThanOrEqual(0);
      expect({ round, printedAfterStop: after.slice(stoppedAt + 1) }).toEqual({ round, printedAfterStop: [] });
      expect({ round, claims: await readdir(w.layout.claims) }).toEqual({ round, claims: [] });
    }
    // Nothing was claimed between a daemon's "daemon stopping" and its "daemon stopped" (after that,
    // claims belong to the next daemon, which claims while it starts, before "daemon started").
    let stopping = false;
    const claimedWhileStopping: unknown[] = [];
    for (const event of logEvents(w.layout)) {
      if (event.event === "daemon stopping") stopping = true;
      if (event.event === "daemon stopped") stopping = false;
      if (event.event === "claimed" && stopping) claimedWhileStopping.push(event.id);
    }
    expect(claimedWhileStopping).toEqual([]);
    // Every RESULT on disk was written while the log was open.
    expect(new Set(logged(w, "result written").map((e) => String(e.id)))).toEqual(new Set(await resultIds(w)));
    expect(logEvents(w.layout).filter((e) => e.event === "daemon stopped")).toHaveLength(ROUNDS);
  });
});
