// Reads a file that goes into Codex's prompt (a task packet, route decision or diagnosis): only a
// small regular file counts, and its last write time comes with it.
import { lstat, readFile } from "node:fs/promises";
import { errnoCode, isNotFound } from "../util/not-found.js";

// These files go into Codex's prompt: a stray huge file is a mistake, not a task.
const MAX_BYTES = 1024 * 1024;

export type SmallFile = { ok: true; text: string; mtimeMs: number } | { ok: false; absent: boolean; reason: string };

// A symlink could point the prompt at any file on the machine, so only regular files count.
export async function readSmallFile(file: string): Promise<SmallFile> {
  try {
    const stat = await lstat(file);
    if (stat.isSymbolicLink()) return { ok: false, absent: false, reason: "is a symbolic link; it must be a regular file" };
    if (!stat.isFile()) return { ok: false, absent: false, reason: "is not a regular file" };
    if (stat.size > MAX_BYTES) return { ok: false, absent: false, reason: `is ${stat.size} bytes, more than the ${MAX_BYTES} allowed` };
    return { ok: true, text: await readFile(file, "utf8"), mtimeMs: stat.mtimeMs };
  } catch (error) {
    if (isAbsent(error)) return { ok: false, absent: true, reason: "does not exist" };
    return { ok: false, absent: false, reason: `cannot be read (${errnoCode(error) ?? String(error)})` };
  }
}

// ENOTDIR too: `progress` being a file means the packet is just as absent.
function isAbsent(error: unknown): boolean {
  return isNotFound(error) || errnoCode(error) === "ENOTDIR";
}
