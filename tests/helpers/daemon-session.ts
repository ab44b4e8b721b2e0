// Per-test workspaces and `codex-relay start` daemons that are cleaned up after each test: the
// daemons SIGKILLed if still running, Codex groups they orphaned killed, the workspace removed.
import { afterEach } from "vitest";
import { killCodexGroups, makeTestWorkspace, startDaemonProcess, type DaemonProcess, type TestWorkspace, type WorkspaceOptions } from "./relay-workspace.js";

/** Call at the top of a test file. */
export function useDaemonSession(): { workspace(options?: WorkspaceOptions): Promise<TestWorkspace>; startDaemon(w: TestWorkspace, args?: string[]): Promise<DaemonProcess> } {
  const workspaces: TestWorkspace[] = [];
  const daemons: DaemonProcess[] = [];
  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.kill();
    for (const w of workspaces.splice(0)) {
      killCodexGroups(w.layout); // Codex orphaned by a SIGKILLed daemon, if any
      await w.cleanup();
    }
  });
  return {
    workspace: async (options) => {
      const w = await makeTestWorkspace(options);
      workspaces.push(w);
      return w;
    },
    startDaemon: async (w, args) => {
      const daemon = await startDaemonProcess(w, { timeoutMs: 60_000, ...(args ? { args } : {}) });
      daemons.push(daemon);
      return daemon;
    },
  };
}
