// What a patch changed in its sandbox worktree, as git sees it against the base commit: tracked
// and new files, renames, binary files, line counts and per-file diffs. Everything is staged in
// the worktree's own index first (a linked worktree has its own; the Builder's is never used).
import path from "node:path";
import { runGit } from "../git/run-git.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { dependencyChanged, isDependencyFile } from "./dependency-files.js";
import type { DiffSummary, FileChange } from "../protocol/patch-run.js";

// Fixed output whatever the user's diff config says (colour, prefixes, external tools, relative).
const DIFF_ARGS = ["diff", "--cached", "-M", "--no-color", "--no-ext-diff", "--no-textconv", "--no-relative", "--src-prefix=a/", "--dst-prefix=b/"];
const NO_BLOB = /^0+$/;

interface RawEntry {
  status: FileChange["status"];
  path: string;
  oldPath: string | null;
  oldBlob: string | null;
  newBlob: string | null;
}

/**
 * Puts the worktree back to its index (the base, or the change last staged by collectChanges):
 * whatever a verification or setup command wrote outside ignored paths is undone, so it never
 * shows up as part of Codex's change.
 */
export async function restoreToIndex(dir: string): Promise<void> {
  await runGit(["checkout-index", "--all", "--force"], { cwd: dir });
  await runGit(["clean", "-fdq"], { cwd: dir }); // not -x: ignored files (node_modules) stay
}

/** Stages everything in the worktree `dir` and describes the change from `base`. */
export async function collectChanges(dir: string, base: string): Promise<DiffSummary> {
  await runGit(["add", "--all"], { cwd: dir });
  const [raw, numstat, patch] = await Promise.all([
    runGit([...DIFF_ARGS, "--raw", "-z", "--no-abbrev", base], { cwd: dir }),
    runGit([...DIFF_ARGS, "--numstat", "-z", base], { cwd: dir }),
    runGit([...DIFF_ARGS, "--binary", base], { cwd: dir }),
  ]);
  const entries = parseRaw(raw.stdout);
  const counts = parseNumstat(numstat.stdout);
  const diffs = await perFileDiffs(dir, base, entries, patch.stdout);
  const files: FileChange[] = [];
  for (const [i, entry] of entries.entries()) {
    const count = counts[i] ?? { added: 0, removed: 0, binary: false };
    files.push({
      path: entry.path,
      oldPath: entry.oldPath,
      status: entry.status,
      ...count,
      dependencyChange: await changesDependencies(dir, entry),
      diff: diffs[i] ?? "",
    });
  }
  return { files, totalLines: files.reduce((sum, f) => sum + f.added + f.removed, 0), patch: patch.stdout };
}

/** Writes the whole binary-safe diff as a `.patch` file (`git apply` can replay it). */
export async function writePatchFile(summary: DiffSummary, file: string, tmpDir = path.dirname(file)): Promise<void> {
  await writeFileAtomic(file, summary.patch, tmpDir);
}

// `:<old mode> <new mode> <old blob> <new blob> <status>\0<path>\0[<new path>\0]`
function parseRaw(output: string): RawEntry[] {
  const tokens = output.split("\0");
  const entries: RawEntry[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const header = tokens[i] ?? "";
    if (!header.startsWith(":")) continue;
    const [, , oldBlob = "", newBlob = "", code = "M"] = header.slice(1).split(" ");
    const letter = code[0];
    const first = tokens[(i += 1)] ?? "";
    const renamed = letter === "R" || letter === "C";
    const second = renamed ? (tokens[(i += 1)] ?? "") : null;
    entries.push({
      status: letter === "A" ? "added" : letter === "D" ? "deleted" : letter === "R" ? "renamed" : letter === "T" ? "typechange" : letter === "C" ? "added" : "modified",
      path: second ?? first,
      oldPath: letter === "R" ? first : null,
      oldBlob: NO_BLOB.test(oldBlob) || letter === "C" ? null : oldBlob, // a copy's source is not its past
      newBlob: NO_BLOB.test(newBlob) ? null : newBlob,
    });
  }
  return entries;
}

// `<added>\t<removed>\t<path>\0`, or for a rename `<added>\t<removed>\t\0<old>\0<new>\0`;
// a binary file counts `-\t-`.
function parseNumstat(output: string): { added: number; removed: number; binary: boolean }[] {
  const tokens = output.split("\0");
  const counts: { added: number; removed: number; binary: boolean }[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(tokens[i] ?? "");
    if (match === null) continue;
    if (match[3] === "") i += 2; // rename: the two paths follow as their own tokens
    const binary = match[1] === "-";
    counts.push({ added: binary ? 0 : Number(match[1]), removed: binary ? 0 : Number(match[2]), binary });
  }
  return counts;
}

// The whole patch cut at each `diff --git` header; git writes the files in the same order as
// `--raw`, a type change as two sections (old file deleted, new one added). Should the counts
// ever disagree, each file's diff is asked for on its own.
async function perFileDiffs(dir: string, base: string, entries: readonly RawEntry[], patch: string): Promise<string[]> {
  const starts = [...patch.matchAll(/^diff --git /gm)].map((m) => m.index);
  const sections = starts.map((start, i) => patch.slice(start, starts[i + 1] ?? patch.length));
  const expected = entries.reduce((n, e) => n + (e.status === "typechange" ? 2 : 1), 0);
  if (sections.length === expected) {
    const diffs: string[] = [];
    for (const entry of entries) diffs.push(sections.splice(0, entry.status === "typechange" ? 2 : 1).join(""));
    return diffs;
  }
  return Promise.all(
    entries.map(async (entry) => {
      const paths = entry.oldPath === null ? [entry.path] : [entry.oldPath, entry.path];
      const { stdout } = await runGit([...DIFF_ARGS, "--binary", base, "--", ...paths.map((p) => `:(literal)${p}`)], { cwd: dir });
      return stdout;
    }),
  );
}

// A rename counts as the old file removed and the new one added: moving a manifest elsewhere
// drops its dependencies from where they were.
async function changesDependencies(dir: string, entry: RawEntry): Promise<boolean> {
  const oldPath = entry.oldPath ?? entry.path;
  if (!isDependencyFile(oldPath) && !isDependencyFile(entry.path)) return false;
  const before = entry.oldBlob === null ? null : await blob(dir, entry.oldBlob);
  const after = entry.newBlob === null ? null : await blob(dir, entry.newBlob);
  if (entry.oldPath === null) return dependencyChanged(entry.path, before, after);
  return dependencyChanged(oldPath, before, null) || dependencyChanged(entry.path, null, after);
}

async function blob(dir: string, id: string): Promise<string> {
  return (await runGit(["cat-file", "blob", id], { cwd: dir })).stdout;
}
