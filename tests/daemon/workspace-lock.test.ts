import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireWorkspaceLock, daemonRunning } from "../../src/daemon/workspace-lock.js";
import { layoutFor, type Layout } from "../../src/protocol/layout.js";
import { processStart } from "../../src/util/process-alive.js";
import { useProcesses } from "../helpers/processes.js";
import { useScratchDir } from "../helpers/scratch-dir.js";

const scratch = useScratchDir("relay-lock-");
const liveProcess = useProcesses().live;

async function workspace(): Promise<Layout> {
  const layout = layoutFor(await scratch());
  await mkdir(path.dirname(layout.lockFile), { recursive: true });
  return layout;
}
/** A lock as another daemon would leave it. */
async function lockBy(layout: Layout, pid: number, start: string | null): Promise<void> {
  await writeFile(layout.lockFile, JSON.stringify({ pid, host: os.hostname(), start, token: "theirs", started_at: "2025-01-01T00:00:00.000Z" }));
}
const lockPid = async (layout: Layout) => (JSON.parse(await readFile(layout.lockFile, "utf8")) as { pid: number }).pid;

describe("the workspace lock", () => {
  it("is held by a live daemon: a second one fails naming its pid", async () => {
    const layout = await workspace();
    const other = liveProcess();
    await lockBy(layout, other, processStart(other));
    expect(await daemonRunning(layout)).toBe(true);
    await expect(acquireWorkspaceLock(layout, new Date())).rejects.toMatchObject({ code: "workspace_locked", message: expect.stringContaining(`(pid ${other} on ${os.hostname()}`) });
    expect(await lockPid(layout)).toBe(other);
  });

  it("left by a daemon whose pid now names a later process (a reused pid) is no daemon, and is taken over", async () => {
    const layout = await workspace();
    const reuser = liveProcess();
    await lockBy(layout, reuser, "12345");
    expect(await daemonRunning(layout)).toBe(false);
    const lock = await acquireWorkspaceLock(layout, new Date());
    expect(await lockPid(layout)).toBe(process.pid);
    expect(await daemonRunning(layout)).toBe(true);
    await lock.release();
    expect(await daemonRunning(layout)).toBe(false);
  });

  it("released after another daemon took it over, stays theirs", async () => {
    const layout = await workspace();
    const lock = await acquireWorkspaceLock(layout, new Date());
    const other = liveProcess();
    await lockBy(layout, other, processStart(other));
    await lock.release();
    expect(await lockPid(layout)).toBe(other);
  });
});
