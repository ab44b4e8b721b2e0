import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFile, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dropLease, slotLeaseFile, takeLease } from "../../src/patch/slot-lease.js";
import { testdir } from "../helpers/testdir.js";

let tmp: string;
let file: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  tmp = await testdir({}, { prefix: "relay-lease-" });
});
beforeEach(async () => {
  file = slotLeaseFile(await testdir({}, { parent: tmp, prefix: "case-" }), 0);
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

const exists = (f: string) => readFile(f).then(() => true, () => false);
const holderPid = async () => (JSON.parse(await readFile(file, "utf8")) as { pid: number }).pid;
/** A live process that is not this one. */
function otherProcess(): number {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  children.push(child);
  return child.pid!;
}

describe("slot leases", () => {
  it("names the slot's lease file after the slot", () => {
    expect(slotLeaseFile("/pool", 3)).toBe(path.join("/pool", "slot-3.lease"));
  });

  it("is held by one owner at a time, this process included, until dropped", async () => {
    expect(await takeLease(file)).toBe(true);
    expect(await holderPid()).toBe(process.pid);
    expect(await takeLease(file)).toBe(false);
    await dropLease(file);
    expect(await exists(file)).toBe(false);
    expect(await takeLease(file)).toBe(true);
    await dropLease(file);
  });

  it("never drops a lease held by another process", async () => {
    const other = otherProcess();
    await writeFile(file, `${JSON.stringify({ pid: other })}\n`);
    await dropLease(file);
    expect(await holderPid()).toBe(other);
    expect(await takeLease(file)).toBe(false);
  });

  it("takes over the lease of a process that is gone", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    await writeFile(file, `${JSON.stringify({ pid: dead, token: "old", start: "1" })}\n`);
    expect(await takeLease(file)).toBe(true);
    expect(await holderPid()).toBe(process.pid);
    expect(await readFile(file, "utf8")).not.toContain('"token":"old"');
    await dropLease(file);
  });

  it("takes over a lease whose pid now belongs to a process started later (a reused pid)", async () => {
    await writeFile(file, `${JSON.stringify({ pid: otherProcess(), start: "not-its-start-time" })}\n`);
    expect(await takeLease(file)).toBe(true);
    expect(await holderPid()).toBe(process.pid);
    await dropLease(file);
  });

  it("leaves a torn lease to its writer for a while, then takes it over", async () => {
    await writeFile(file, "");
    expect(await takeLease(file)).toBe(false);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(file, aMinuteAgo, aMinuteAgo);
    expect(await takeLease(file)).toBe(true);
    expect(await holderPid()).toBe(process.pid);
    await dropLease(file);
  });
});
