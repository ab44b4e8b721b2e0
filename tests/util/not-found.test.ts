import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errnoCode, isNotFound } from "../../src/util/not-found.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "relay-not-found-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe("isNotFound", () => {
  it("is true for a real ENOENT and false for other fs failures", async () => {
    const missing = await failureOf(readFile(path.join(dir, "nope.txt")));
    expect(isNotFound(missing)).toBe(true);
    expect(errnoCode(missing)).toBe("ENOENT");
    const isDir = await failureOf(readFile(dir));
    expect(errnoCode(isDir)).toBe("EISDIR");
    expect(isNotFound(isDir)).toBe(false);
    await writeFile(path.join(dir, "file"), "x");
    const notDir = await failureOf(readFile(path.join(dir, "file", "below")));
    expect(errnoCode(notDir)).toBe("ENOTDIR");
    expect(isNotFound(notDir)).toBe(false); // callers that count ENOTDIR as absent say so themselves
  });

  it("is false, and has no code, for what is not a system error", () => {
    for (const value of [undefined, null, "ENOENT", new Error("ENOENT"), { code: 2 }]) {
      expect(isNotFound(value)).toBe(false);
      expect(errnoCode(value)).toBeUndefined();
    }
  });
});
