// One temp directory per test file, removed after it; each test makes its own folder inside.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";

/** Call at the top of a test file; the returned function makes a fresh folder for one test. */
export function useScratchDir(prefix: string): () => Promise<string> {
  let root = "";
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  return () => mkdtemp(path.join(root, "case-"));
}
