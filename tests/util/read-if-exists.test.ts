import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readIfExists } from "../../src/util/read-if-exists.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "relay-read-if-exists-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("readIfExists", () => {
  it("reads a file's UTF-8 text, an empty file as the empty string", async () => {
    await writeFile(path.join(dir, "a.md"), "# héllo\n");
    await writeFile(path.join(dir, "empty"), "");
    expect(await readIfExists(path.join(dir, "a.md"))).toBe("# héllo\n");
    expect(await readIfExists(path.join(dir, "empty"))).toBe("");
  });

  it("gives null for a file that does not exist, in a folder that does or does not", async () => {
    expect(await readIfExists(path.join(dir, "missing.md"))).toBeNull();
    expect(await readIfExists(path.join(dir, "no-such-dir", "x.md"))).toBeNull();
  });

  it("throws any other failure: a folder is not a missing file", async () => {
    await mkdir(path.join(dir, "folder"));
    await expect(readIfExists(path.join(dir, "folder"))).rejects.toMatchObject({ code: "EISDIR" });
  });
});
