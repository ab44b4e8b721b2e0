import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { heartbeat, isStale, readClaim, recordCodexPid, releaseClaim, takeOverStale, tryClaim } from "../../src/daemon/claims.js";
import { layoutFor, type Layout } from "../../src/protocol/layout.js";
import { processStart } from "../../src/util/process-alive.js";
import { useProcesses } from "../helpers/processes.js";
import { useScratchDir } from "../helpers/scratch-dir.js";

const STALE_MS = 60_000;
const ID = "20250101_000001";
const scratch = useScratchDir("relay-claims-");
const processes = useProcesses();
const liveProcess = processes.live;

async function workspace(): Promise<Layout> {
  const layout = layoutFor(await scratch());
  await mkdir(layout.claims, { recursive: true });
  return layout;
}
/** A claim as another daemon would leave it. */
async function claimBy(layout: Layout, pid: number, start: string | null, attempt = 1): Promise<void> {
  const now = new Date().toISOString();
  await writeFile(layout.claim(ID), JSON.stringify({ id: ID, pid, host: os.hostname(), start, token: "theirs", started_at: now, heartbeat_at: now, attempt }));
}
const claimOnDisk = async (layout: Layout) => JSON.parse(await readFile(layout.claim(ID), "utf8")) as Record<string, unknown>;

describe("request claims", () => {
  it("of a live daemon are running; with its heartbeat missed for claim_stale_s they are stale", async () => {
    const layout = await workspace();
    const other = liveProcess();
    await claimBy(layout, other, processStart(other));
    const claim = (await readClaim(layout, ID))!;
    expect(isStale(claim, new Date(), STALE_MS)).toBe(false);
    expect(await takeOverStale(layout, ID, new Date(), STALE_MS)).toBeUndefined();
    expect(existsSync(layout.claim(ID))).toBe(true);
    expect(isStale(claim, new Date(claim.beatAt + STALE_MS + 1), STALE_MS)).toBe(true);
  });

  it("whose pid now names a later process (a reused pid) are stale, and recovered with their attempt", async () => {
    const layout = await workspace();
    await claimBy(layout, liveProcess(), "12345", 2);
    expect(isStale((await readClaim(layout, ID))!, new Date(), STALE_MS)).toBe(true);
    expect(await takeOverStale(layout, ID, new Date(), STALE_MS)).toMatchObject({ id: ID, attempt: 2 });
    expect(existsSync(layout.claim(ID))).toBe(false);
  });

  it("of a dead daemon go to exactly one of many recoverers", async () => {
    const layout = await workspace();
    await claimBy(layout, processes.dead(), null);
    const recovered = await Promise.all(Array.from({ length: 16 }, () => takeOverStale(layout, ID, new Date(), STALE_MS)));
    expect(recovered.filter(Boolean)).toHaveLength(1);
  });

  it("keep their owner through the heartbeat and Codex's pid, and are released by that owner only", async () => {
    const layout = await workspace();
    const claim = (await tryClaim(layout, ID, 1, new Date()))!;
    expect(await tryClaim(layout, ID, 1, new Date())).toBeUndefined();
    const codex = liveProcess();
    recordCodexPid(layout, claim, codex, new Date());
    const later = new Date(Date.now() + STALE_MS * 10);
    await heartbeat(layout, ID, later);
    expect(await claimOnDisk(layout)).toMatchObject({ pid: process.pid, token: claim.token, codex_pid: codex, codex_start: processStart(codex) });
    expect(isStale((await readClaim(layout, ID))!, new Date(later.getTime() + STALE_MS - 1), STALE_MS)).toBe(false);

    const other = liveProcess();
    await claimBy(layout, other, processStart(other)); // taken over meanwhile
    await releaseClaim(layout, claim);
    expect((await claimOnDisk(layout)).pid).toBe(other);
  });
});
