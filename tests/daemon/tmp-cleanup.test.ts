// Temp files a SIGKILLed writer left in the relay's folders are removed when a daemon starts;
// those of a live writer stay.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useDaemonSession } from "../helpers/daemon-session.js";
import { logged } from "../helpers/inbox.js";
import { useProcesses } from "../helpers/processes.js";

const processes = useProcesses();
const { workspace, startDaemon } = useDaemonSession();

describe("temp files at start-up", () => {
  it("removes those whose writer is dead and keeps those of a live writer and files of other shapes", async () => {
    const w = await workspace();
    const dead = processes.dead();
    const live = processes.live();
    await mkdir(w.layout.tmp, { recursive: true });
    await mkdir(w.layout.claims, { recursive: true });
    const litter = [
      path.join(w.layout.tmp, `CODEX_DELEGATION_RESULT_20250501_000001.md.${dead}.dd343763.tmp`), // an atomic write
      path.join(w.layout.tmp, `request.${dead}.0badc0de.md`), // a request being published
      path.join(w.layout.claims, `.20250501_000001.json.${dead}.0ace91a4.tmp`), // a claim being created
    ];
    const kept = [
      path.join(w.layout.tmp, `offsets.json.${live}.12345678.tmp`), // a live writer's, mid-write
      path.join(w.layout.tmp, "notes.txt"),
    ];
    for (const file of [...litter, ...kept]) await writeFile(file, "partial");

    await startDaemon(w);
    expect(litter.filter((file) => existsSync(file))).toEqual([]);
    expect(kept.filter((file) => existsSync(file))).toEqual(kept);
    expect(logged(w, "temp files removed").map((e) => e.count)).toEqual([3]);
  });
});
