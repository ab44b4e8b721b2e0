// What `[transcripts] paths` names, made watchable: each entry becomes one folder for chokidar to
// watch (never the repository tree), how deep, and which files under it are transcripts.
// - a folder: transcripts (.jsonl, .md, .markdown, .txt, .log) up to DIR_DEPTH levels below it,
//   enough for ~/.codex/sessions/YYYY/MM/DD and ~/.claude/projects/<project>/<session>/subagents;
// - a glob (`*`, `?`, `**`; chokidar 5 has none): its fixed leading folder, filtered by the glob;
// - a file, or a path that does not exist yet: its parent folder, filtered to that one name, which
//   also sees the file deleted and created again (a watch on the file itself would not). If the
//   path appears as a folder later, it is watched as a folder from then on.
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { globToRegExp, globWalkPlan, isGlob } from "../security/glob.js";

export const DIR_DEPTH = 4;
const MAX_GLOB_DEPTH = 8;
const TRANSCRIPT_FILE = /\.(?:jsonl|md|markdown|txt|log)$/i;
// Never transcripts, and big: not worth a watch.
const SKIPPED_DIRS = new Set([".git", "node_modules", ".autonomous_runs"]);

export interface WatchTarget {
  /** The configured entry, expanded: an absolute path or glob. */
  readonly pattern: string;
  /** The folder chokidar watches. */
  readonly dir: string;
  /** Folder levels below `dir` chokidar descends into (0: only its own entries). */
  readonly depth: number;
  /** Whether a file under `dir` is one of this target's transcripts. */
  accepts(file: string): boolean;
  /** A file target: the one path it watches in `dir`. */
  readonly file?: string;
  /** A path that does not exist yet: if it appears as a folder, watch it as one. */
  readonly awaitsFolder?: string;
}

/** `~` and relative entries made absolute (the home folder comes from the environment passed in). */
export function expandTranscriptPath(entry: string, workspace: string, home: string): string {
  const trimmed = entry.trim();
  const expanded = trimmed === "~" ? home : trimmed.startsWith("~/") ? path.join(home, trimmed.slice(2)) : trimmed;
  return path.resolve(workspace, expanded);
}

export function homeOf(env: Readonly<Record<string, string | undefined>>): string {
  return env.HOME && env.HOME !== "" ? env.HOME : os.homedir();
}

/** Claude Code's user folder: `CLAUDE_CONFIG_DIR` when set (Claude Code keeps its settings there then), else ~/.claude. */
export function claudeConfigDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR !== "" ? env.CLAUDE_CONFIG_DIR : path.join(homeOf(env), ".claude");
}

export async function resolveTarget(pattern: string): Promise<WatchTarget> {
  if (isGlob(pattern)) {
    const plan = globWalkPlan(pattern.slice(1)); // globs work on relative posix paths
    const matcher = globToRegExp(pattern.slice(1), { dot: false });
    return {
      pattern,
      dir: `/${plan.base}`,
      depth: Math.min(plan.depth - 1, MAX_GLOB_DEPTH),
      accepts: (file) => matcher.test(file.slice(1)) && !skippedOnTheWay(`/${plan.base}`, file),
    };
  }
  const info = await stat(pattern).catch(() => undefined);
  if (info?.isDirectory()) return folderTarget(pattern);
  return {
    pattern,
    dir: path.dirname(pattern),
    depth: 0,
    accepts: (file) => file === pattern,
    file: pattern,
    ...(info ? {} : { awaitsFolder: pattern }),
  };
}

export function folderTarget(dir: string): WatchTarget {
  return {
    pattern: dir,
    dir,
    depth: DIR_DEPTH,
    accepts: (file) => TRANSCRIPT_FILE.test(file) && !skippedOnTheWay(dir, file),
  };
}

/** Whether chokidar should not descend into or report `file` (a folder we never watch inside). */
export function isSkippedPath(file: string): boolean {
  return SKIPPED_DIRS.has(path.basename(file));
}

function skippedOnTheWay(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return true;
  return rel.split(path.sep).slice(0, -1).some((segment) => SKIPPED_DIRS.has(segment));
}

/** The target's transcripts that exist now (what chokidar's `ignoreInitial` does not report). */
export async function listTargetFiles(target: WatchTarget): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // gone or unreadable: chokidar reports what appears later
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth > 0 && !SKIPPED_DIRS.has(entry.name)) await walk(full, depth - 1);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && target.accepts(full)) {
        const info = await stat(full).catch(() => undefined);
        if (info?.isFile()) found.push(full);
      }
    }
  };
  await walk(target.dir, target.depth);
  return found.sort();
}
