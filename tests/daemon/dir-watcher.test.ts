// The folder watcher on a real directory: which names it reports, and how (add, change, unlink).
import { unlinkSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { DirWatcher, type FileChange } from "../../src/daemon/dir-watcher.js";
import { testdir } from "../helpers/testdir.js";

const REQUEST = /^CODEX_DELEGATION_REQUEST_.+\.md$/;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

async function watched(before: string[] = []) {
  const dir = await testdir({}, { prefix: "codex-relay-inbox-" });
  const staging = await testdir({}, { prefix: "codex-relay-staging-" });
  for (const name of before) await writeFile(path.join(dir, name), "x");
  const seen: [string, FileChange][] = [];
  const watcher = new DirWatcher(dir, (name) => REQUEST.test(name));
  watcher.on("file", (name, how) => seen.push([name, how]));
  await watcher.start();
  cleanup.push(async () => {
    watcher.close();
  });
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 2000 && !check(); i += 1) await delay(5);
    expect(check()).toBe(true);
  };
  return { dir, staging, seen, until, watcher };
}

describe("DirWatcher", () => {
  it("reports a request renamed in as added, and nothing for RESULT files or files there before it started", async () => {
    const old = "CODEX_DELEGATION_REQUEST_20260101_000000.md";
    const { dir, staging, seen, until } = await watched([old, "CODEX_DELEGATION_RESULT_20260101_000000.json"]);
    await writeFile(path.join(dir, "CODEX_DELEGATION_RESULT_20260101_000001.md"), "result");
    await writeFile(path.join(staging, "r"), "## Issue\nx\n");
    await rename(path.join(staging, "r"), path.join(dir, "CODEX_DELEGATION_REQUEST_20260102_000000.md"));
    await until(() => seen.length > 0);
    await delay(50);
    expect(seen).toEqual([["CODEX_DELEGATION_REQUEST_20260102_000000.md", "add"]]);
  });

  it("reports a request written in place as added, then its further writes and a replacement as changes", async () => {
    const { dir, staging, seen, until } = await watched();
    const name = "CODEX_DELEGATION_REQUEST_20260103_000000.md";
    await writeFile(path.join(dir, name), "## Issue\nfirst half");
    await until(() => seen.length >= 1);
    await writeFile(path.join(dir, name), "## Issue\nfirst half, second half\n");
    await writeFile(path.join(staging, "r"), "## Issue\nrewritten\n");
    await rename(path.join(staging, "r"), path.join(dir, name)); // an atomic save over the old file
    await until(() => seen.length >= 3);
    expect(seen[0]).toEqual([name, "add"]);
    expect(seen.slice(1).every(([n, how]) => n === name && how === "change")).toBe(true);
  });

  it("reports a deleted request as unlinked once, but a delete and re-create (an editor's save) as a change", async () => {
    const name = "CODEX_DELEGATION_REQUEST_20260104_000000.md";
    const { dir, seen, until } = await watched([name]);
    // in one tick, so no event is handled between them however slow the machine
    unlinkSync(path.join(dir, name));
    writeFileSync(path.join(dir, name), "## Issue\nsaved again\n");
    await delay(250);
    expect(seen.map(([, how]) => how)).not.toContain("unlink");
    expect(seen.length).toBeGreaterThan(0);

    await unlink(path.join(dir, name));
    await until(() => seen.some(([, how]) => how === "unlink"));
    await delay(150);
    expect(seen.filter(([, how]) => how === "unlink")).toEqual([[name, "unlink"]]);
  });

  it("sees a new request among 3,000 finished files", async () => {
    const finished = Array.from({ length: 1000 }, (_, i) => [`CODEX_DELEGATION_REQUEST_20250101_000000_${i}.md`, `CODEX_DELEGATION_RESULT_20250101_000000_${i}.md`, `CODEX_DELEGATION_RESULT_20250101_000000_${i}.json`]).flat();
    const { dir, seen, until } = await watched(finished);
    await writeFile(path.join(dir, "CODEX_DELEGATION_REQUEST_20260105_000000.md"), "## Issue\nx\n");
    await until(() => seen.length > 0);
    expect(seen[0]).toEqual(["CODEX_DELEGATION_REQUEST_20260105_000000.md", "add"]);
  });

  it("watches the folder again after it was removed and made anew, once refreshed", async () => {
    const { dir, seen, until, watcher } = await watched();
    await rm(dir, { recursive: true });
    await mkdir(dir);
    await watcher.refresh();
    await writeFile(path.join(dir, "CODEX_DELEGATION_REQUEST_20260106_000000.md"), "## Issue\nafter the folder came back\n");
    await until(() => seen.length > 0);
    expect(seen[0]).toEqual(["CODEX_DELEGATION_REQUEST_20260106_000000.md", "add"]);
    await delay(50);
    const before = seen.length;
    await watcher.refresh(); // the same folder: nothing to do, nothing announced again
    await delay(50);
    expect(seen).toHaveLength(before);
    expect(seen.filter(([, how]) => how === "add")).toHaveLength(1);
  });
});
