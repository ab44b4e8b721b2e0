// Publish a file atomically: write under a temp name in `tmpDir` (same filesystem, outside any
// watched folder), fsync, then rename into place. Readers see nothing or the whole file.
import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";

// node:crypto is fetched on use (not imported): short commands that never write skip loading it.
export async function writeFileAtomic(target: string, data: string | Uint8Array, tmpDir: string): Promise<void> {
  await mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, `${path.basename(target)}.${process.pid}.${process.getBuiltinModule("node:crypto").randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(tmp, "w");
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
