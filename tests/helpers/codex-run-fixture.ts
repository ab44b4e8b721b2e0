// A vitest fixture for tests that run the real codex binary by hand (kept apart from codex-home.ts,
// which the benchmark also compiles and which must not import vitest).
import { afterEach, beforeEach } from "vitest";
import { makeCodexHome } from "../fixtures/codex-home.js";
import { startModelServer, type ModelServer } from "../fixtures/model-server.js";
import { testdir } from "./testdir.js";

/**
 * Per test: a scripted model server, a throwaway CODEX_HOME and an empty workspace folder; after
 * it, every tracked codex process group is killed and all three are removed.
 */
export function codexRunFixture(prefix: string) {
  const children: { pid?: number }[] = [];
  const fx = {
    server: undefined as unknown as ModelServer,
    home: undefined as unknown as { dir: string; cleanup(): Promise<void> },
    ws: "",
    /** Kill this child's process group after the test (spawn it with `detached: true`). */
    track(child: { pid?: number }): void {
      children.push(child);
    },
  };
  beforeEach(async () => {
    fx.server = await startModelServer();
    fx.home = await makeCodexHome();
    fx.ws = await testdir({}, { prefix });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.pid === undefined) continue;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // ESRCH: the group already exited.
      }
    }
    await fx.server.close();
    await fx.home.cleanup();
  });
  return fx;
}
