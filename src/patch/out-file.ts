// Names under out/ carry a timestamp to the second (`codex-patch-YYYYMMDD-HHMMSS.md`). Two runs in
// one second must not overwrite each other, so a taken name moves on to the next free second.
import { open } from "node:fs/promises";
import path from "node:path";
import { errnoCode } from "../util/not-found.js";

/** Reserve a new file in `dir` named by `nameAt(time)`, creating it empty with `wx`. */
export async function reserveOutFile(dir: string, at: Date, nameAt: (time: Date) => string): Promise<string> {
  for (let bump = 0; ; bump += 1) {
    const file = path.join(dir, nameAt(new Date(at.getTime() + bump * 1000)));
    try {
      await (await open(file, "wx")).close();
      return file;
    } catch (error) {
      if (errnoCode(error) !== "EEXIST" || bump > 3600) throw error;
    }
  }
}
