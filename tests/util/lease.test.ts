import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { link, readFile, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { acquireLease, breakLease, createLease, leaseHeld, readLease, releaseLease, rewriteLeaseSync, touchLease } from "../../src/util/lease.js";
import { isSameProcess, processStart } from "../../src/util/process-alive.js";
import { useProcesses } from "../helpers/processes.js";
import { useScratchDir } from "../helpers/scratch-dir.js";

const DIST_LEASE = fileURLToPath(new URL("../../dist/util/lease.js", import.meta.url));

const scratch = useScratchDir("relay-lease-rule-");
const processes = useProcesses();
const liveProcess = processes.live;
const deadPid = processes.dead;
let dir: string;
let file: string;
beforeEach(async () => {
  dir = await scratch();
  file = path.join(dir, "thing.lease");
});

/** A lease file written by hand, as another process (or an older version) would leave it. */
async function writeLease(target: string, fields: Record<string, unknown>): Promise<void> {
  const now = new Date().toISOString();
  await writeFile(target, `${JSON.stringify({ host: os.hostname(), token: "theirs", started_at: now, heartbeat_at: now, ...fields })}\n`);
}
const found = async (target = file) => (await readLease(target))!;
const holder = async (target = file) => JSON.parse(await readFile(target, "utf8")) as { pid: number; token: string; start: string | null };
const now = () => new Date();
/** The lease in `file` is not held, and this process takes it over. */
async function expectTakenOver(): Promise<void> {
  expect(leaseHeld(await found(), { now: now() })).toBe(false);
  const lease = await acquireLease(file, {}, { now: now() });
  expect(lease).toBeDefined();
  expect((await holder()).pid).toBe(process.pid);
  await releaseLease(lease!);
}

describe("process identity", () => {
  it("tells a live process from a dead one and from a later process with the same pid", () => {
    const live = liveProcess();
    expect(isSameProcess(live, processStart(live))).toBe(true);
    expect(isSameProcess(live, undefined)).toBe(true); // no start recorded: the pid alone decides
    expect(isSameProcess(live, "1")).toBe(false);
    expect(isSameProcess(deadPid(), null)).toBe(false);
  });
});

describe("the lease rule", () => {
  it("writes its owner (pid, host, start time, token) beside the caller's fields", async () => {
    const lease = (await createLease(file, { id: "x" }, now()))!;
    const record = await holder();
    expect(record).toMatchObject({ id: "x", pid: process.pid, host: os.hostname(), start: processStart(process.pid), token: lease.record.token });
    expect(leaseHeld(await found(), { now: now() })).toBe(true);
    await releaseLease(lease);
    expect(existsSync(file)).toBe(false);
  });

  it("is not held once its owner is dead, and is taken over", async () => {
    const dead = deadPid();
    await writeLease(file, { pid: dead, start: "1" });
    await expectTakenOver();
  });

  it("is not held when its pid now names a process started later (a reused pid), and is taken over", async () => {
    const live = liveProcess();
    await writeLease(file, { pid: live, start: processStart(live) });
    expect(leaseHeld(await found(), { now: now() })).toBe(true);
    expect(await acquireLease(file, {}, { now: now() })).toBeUndefined();

    await writeLease(file, { pid: live, start: "12345" }); // same pid number, another start time
    await expectTakenOver();
  });

  it("is not held by a predecessor that had this process's pid (a restarted container)", async () => {
    await writeLease(file, { pid: process.pid, start: processStart(process.pid), token: "a-predecessor" });
    expect(leaseHeld(await found(), { now: now() })).toBe(false);
  });

  it("with heartbeats, is held while its heartbeat is fresh and stale after staleMs (injected clock)", async () => {
    const live = liveProcess();
    await writeLease(file, { pid: live, start: processStart(live) });
    const beat = (await found()).beatAt;
    const staleMs = 60_000;
    expect(leaseHeld(await found(), { now: new Date(beat + staleMs), staleMs })).toBe(true);
    expect(leaseHeld(await found(), { now: new Date(beat + staleMs + 1), staleMs })).toBe(false);
    expect(leaseHeld(await found(), { now: new Date(beat + staleMs + 1) })).toBe(true); // no heartbeats: the process decides

    const later = new Date(beat + 10 * staleMs);
    await touchLease(file, later);
    expect(leaseHeld(await found(), { now: new Date(later.getTime() + staleMs - 1), staleMs })).toBe(true);
    expect(await acquireLease(file, {}, { now: new Date(later.getTime() + staleMs - 1), staleMs })).toBeUndefined();
    expect(await acquireLease(file, {}, { now: new Date(later.getTime() + staleMs + 1), staleMs })).toBeDefined();
  });

  it("on another host, only the heartbeat can tell", async () => {
    await writeLease(file, { pid: deadPid(), host: "some-other-host" });
    const beat = (await found()).beatAt;
    expect(leaseHeld(await found(), { now: new Date(beat + 1000) })).toBe(true);
    expect(leaseHeld(await found(), { now: new Date(beat + 1000), staleMs: 999 })).toBe(false);
  });

  it("leaves a torn lease to its writer for a while, then takes it over", async () => {
    await writeFile(file, "{");
    expect(leaseHeld(await found(), { now: now() })).toBe(true);
    expect(await acquireLease(file, {}, { now: now() })).toBeUndefined();
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(file, aMinuteAgo, aMinuteAgo);
    expect(await acquireLease(file, {}, { now: now() })).toBeDefined();
  });

  it("release with a foreign token does nothing", async () => {
    const lease = (await createLease(file, {}, now()))!;
    await releaseLease({ file, record: { ...lease.record, token: "not-the-holders" } });
    expect((await holder()).token).toBe(lease.record.token);

    // a lease taken over by another owner meanwhile is not ours to remove either
    const live = liveProcess();
    await writeLease(file, { pid: live, start: processStart(live), token: "the-new-owners" });
    await releaseLease(lease);
    expect((await holder()).token).toBe("the-new-owners");
  });

  it("rewrites its own fields, and never a lease taken over or released meanwhile", async () => {
    const lease = (await createLease<{ phase?: string }>(file, { phase: "request" }, now()))!;
    rewriteLeaseSync(lease, { phase: "codex" }, now());
    expect(await holder()).toMatchObject({ pid: process.pid, token: lease.record.token, phase: "codex" });
    rewriteLeaseSync(lease, { phase: "request" }, now()); // shorter than what it replaces
    expect(await holder()).toMatchObject({ token: lease.record.token, phase: "request" });

    const live = liveProcess();
    await writeLease(file, { pid: live, start: processStart(live), token: "the-new-owners" });
    rewriteLeaseSync(lease, { phase: "codex" }, now());
    expect(await holder()).not.toHaveProperty("phase");
    expect((await holder()).token).toBe("the-new-owners");

    await rm(file);
    rewriteLeaseSync(lease, { phase: "codex" }, now());
    expect(existsSync(file)).toBe(false);
  });

  it("breaks only the generation it judged stale", async () => {
    await writeLease(file, { pid: deadPid() });
    const stale = await found();
    const lease = (await acquireLease(file, {}, { now: now() }))!;
    expect(await breakLease(file, stale, now())).toBe(false); // a newer lease stands there now
    expect((await holder()).token).toBe(lease.record.token);
    await releaseLease(lease);
  });

  it("clears a break marker a dead breaker left behind, after a while", async () => {
    await writeLease(file, { pid: deadPid() });
    await link(file, `${file}.break`); // a breaker that died between its link and its removal
    expect(await acquireLease(file, {}, { now: now() })).toBeUndefined();
    const aMinuteLater = new Date(Date.now() + 60_000);
    expect(await acquireLease(file, {}, { now: aMinuteLater })).toBeDefined();
    expect(existsSync(`${file}.break`)).toBe(false);
  });
});

describe("contenders", () => {
  const CONTENDERS = 24;

  it("of many acquires at once in one process, exactly one wins (free, then stale)", async () => {
    for (let round = 0; round < 5; round += 1) {
      const target = path.join(dir, `free-${round}.lease`);
      const won = (await Promise.all(Array.from({ length: CONTENDERS }, () => acquireLease(target, {}, { now: now() })))).filter(Boolean);
      expect(won).toHaveLength(1);
      expect((await holder(target)).token).toBe(won[0]!.record.token);
    }
    for (let round = 0; round < 5; round += 1) {
      const target = path.join(dir, `stale-${round}.lease`);
      await writeLease(target, { pid: deadPid(), start: "1" });
      const won = (await Promise.all(Array.from({ length: CONTENDERS }, () => acquireLease(target, {}, { now: now() })))).filter(Boolean);
      expect(won).toHaveLength(1);
      expect((await holder(target)).token).toBe(won[0]!.record.token);
      expect(existsSync(`${target}.break`)).toBe(false);
    }
  });

  it("of two processes acquiring the same leases at once, exactly one wins each (free, then stale)", async () => {
    const files = Array.from({ length: 20 }, (_, n) => path.join(dir, `shared-${n}.lease`));
    const stale = files.slice(10);
    for (const target of stale) await writeLease(target, { pid: deadPid(), start: "1" });
    // Each child waits for "go" on stdin, acquires every file at once, prints which it won, and
    // stays alive (holding them) until killed.
    const script = `
      import { acquireLease } from ${JSON.stringify(DIST_LEASE)};
      const files = JSON.parse(process.argv[1]);
      process.stdout.write("ready\\n");
      process.stdin.once("data", async () => {
        const won = await Promise.all(files.map((f) => acquireLease(f, {}, { now: new Date() })));
        process.stdout.write(JSON.stringify(won.map((lease) => lease?.record.token ?? null)) + "\\n");
      });`;
    const contenders = [0, 1].map(() => {
      const child = processes.track(spawn(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(files)], { stdio: ["pipe", "pipe", "inherit"] }));
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      return { child, next: async () => ((await lines.next()).value as string) };
    });
    for (const c of contenders) expect(await c.next()).toBe("ready");
    for (const c of contenders) c.child.stdin!.write("go\n");
    const [a, b] = (await Promise.all(contenders.map(async (c) => JSON.parse(await c.next()) as (string | null)[]))) as [(string | null)[], (string | null)[]];
    for (const [n, target] of files.entries()) {
      expect([a[n], b[n]].filter((token) => token !== null)).toHaveLength(1);
      expect((await holder(target)).token).toBe(a[n] ?? b[n]);
    }
    for (const c of contenders) {
      c.child.kill("SIGKILL");
      await once(c.child, "exit");
    }
    // their owners gone, the leases are this process's to take
    const lease = await acquireLease(files[0]!, {}, { now: now() });
    expect(lease).toBeDefined();
  });
});
