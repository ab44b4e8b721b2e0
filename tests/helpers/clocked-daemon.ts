// In-process daemons on an injected clock, for the timed work (schedules, digest, retention) that
// tests move time for instead of waiting: a hand-moved clock, and workspaces and daemons that are
// stopped and removed after each test.
import { afterEach } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { makeTestWorkspace, relayContext, type TestWorkspace, type WorkspaceOptions } from "./relay-workspace.js";

/** A clock the test moves by hand. */
export interface ManualClock {
  readonly now: () => Date;
  set(iso: string): void;
}

export function manualClock(iso: string): ManualClock {
  let at = new Date(iso);
  return { now: () => new Date(at), set: (next) => void (at = new Date(next)) };
}

/** Call at the top of a test file. */
export function useClockedDaemons(): { workspace(options?: WorkspaceOptions): Promise<TestWorkspace>; start(ws: TestWorkspace, now: () => Date): Promise<Daemon> } {
  const workspaces: TestWorkspace[] = [];
  const daemons: Daemon[] = [];
  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.stop({ graceMs: 0 });
    for (const ws of workspaces.splice(0)) await ws.cleanup();
  });
  return {
    workspace: async (options) => {
      const ws = await makeTestWorkspace(options);
      workspaces.push(ws);
      return ws;
    },
    start: async (ws, now) => {
      const daemon = new Daemon(await relayContext(ws, now));
      daemons.push(daemon);
      await daemon.start();
      return daemon;
    },
  };
}
