// The Builder overlap guard: files of the patch the Builder changed in its own checkout, either
// while Codex worked (content changed since the snapshot) or before (differs from the base). A
// merge suggestion would be wrong for those; the report flags them instead.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { runGit } from "../git/run-git.js";
import { sha256 } from "../util/sha256.js";

export type Snapshot = ReadonlyMap<string, string | null>;

/** Content hashes of these workspace-relative files in the Builder's checkout (null: absent). */
export async function snapshotFiles(workspace: string, files: readonly string[]): Promise<Snapshot> {
  const snapshot = new Map<string, string | null>();
  for (const file of files) snapshot.set(file, await hashOf(path.join(workspace, file)));
  return snapshot;
}

export async function builderOverlap(workspace: string, base: string, snapshot: Snapshot, patched: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const [file, hash] of snapshot) {
    if ((await hashOf(path.join(workspace, file))) !== hash) found.add(file);
  }
  if (patched.length > 0) {
    // Read-only: GIT_OPTIONAL_LOCKS=0 (run-git) keeps this from refreshing the Builder's index.
    const { stdout } = await runGit(["diff", "--name-only", "-z", base, "--", ...patched.map((f) => `:(literal)${f}`)], { cwd: workspace, allowFailure: true });
    for (const file of stdout.split("\0")) if (file) found.add(file);
  }
  return [...found].sort();
}

async function hashOf(file: string): Promise<string | null> {
  try {
    return sha256(await readFile(file));
  } catch {
    return null; // absent or unreadable: compared as "not there"
  }
}
