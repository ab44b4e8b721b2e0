// Real processes for liveness tests: a live one that is not this process (killed after each test)
// and the pid of one that has exited.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { afterEach } from "vitest";

/** Call at the top of a test file: live processes it starts are killed after each test. */
export function useProcesses(): { live(): number; dead(): number; track(child: ChildProcess): ChildProcess } {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
  });
  const track = (child: ChildProcess) => (children.push(child), child);
  return {
    live: () => track(spawn("sleep", ["60"], { stdio: "ignore" })).pid!,
    dead: () => spawnSync(process.execPath, ["-e", "0"]).pid,
    track,
  };
}
