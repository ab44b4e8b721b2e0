// Publish a file atomically: write under a temp name in `tmpDir` (same filesystem, outside any
// watched folder), fsync, then rename into place. Readers see nothing or the whole file.
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { isNotFound } from "./not-found.js";

// node:crypto is fetched on use (not imported): short commands that never write skip loading it.
export async function writeFileAtomic(target: string, data: string | Uint8Array, tmpDir: string): Promise<void> {
  const tmp = path.join(tmpDir, `${path.basename(target)}.${process.pid}.${process.getBuiltinModule("node:crypto").randomBytes(4).toString("hex")}.tmp`);
  const handle = await openCreating(tmp);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true }); // the temp copy is worthless once the rename failed
    throw error;
  }
}

// The folder is made only when it is missing (someone removed .relay under a running daemon): a
// mkdir before every write was one more round trip through the thread pool, three per request.
async function openCreating(tmp: string): Promise<FileHandle> {
  try {
    return await open(tmp, "w");
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await mkdir(path.dirname(tmp), { recursive: true });
    return await open(tmp, "w");
  }
}
