// Real temporary folders for tests (after changesets' `testdir`): made under os.tmpdir() (or
// `parent`), filled with `files`, and removed when the test that made them ends — or, when made
// outside a test (beforeAll), after the test file. Nothing is mocked: tests read and write them.
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, onTestFinished, TestRunner } from "vitest";

/** Files to write, by path relative to the folder (parent folders are created). */
export type Files = Readonly<Record<string, string | Buffer>>;

export interface TestdirOptions {
  /** Start of the folder's name; default "codex-relay-". */
  prefix?: string;
  /** Make it inside this folder instead of os.tmpdir(). */
  parent?: string;
}

// Folders made outside a test. This module registers their removal for the file it is imported
// into (vitest evaluates each test file's imports afresh, under that file's suite).
const fileDirs: string[] = [];
afterAll(async () => {
  for (const dir of fileDirs.splice(0)) await remove(dir);
});

/** A new real folder holding `files`; its path has symlinks resolved (so it compares equal to what git prints). */
export async function testdir(files: Files = {}, options: TestdirOptions = {}): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(options.parent ?? os.tmpdir(), options.prefix ?? "codex-relay-")));
  if (TestRunner.getCurrentTest() === undefined) fileDirs.push(dir);
  else onTestFinished(() => remove(dir));
  await writeFiles(dir, files);
  return dir;
}

/** Writes `files` into `dir`, creating folders on the way. */
export async function writeFiles(dir: string, files: Files): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

function remove(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
