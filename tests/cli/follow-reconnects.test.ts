// A waiting client shows each Codex reconnect attempt on stderr as it happens (issue 10 §1), with
// and without a daemon: the built CLI, the real codex binary, a provider whose port is closed.
// stdout carries the RESULT alone.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cleanUpAfterEach, makeTestWorkspace, startDaemonProcess, type TestWorkspace } from "../helpers/relay-workspace.js";

const held = cleanUpAfterEach();

/** A workspace whose provider's port is closed, with a short unreachable limit (as in tests/codex/provider-trouble.test.ts). */
async function downWorkspace(unreachableS: number): Promise<TestWorkspace> {
  // Direct to the provider: through the gateway a refused connection ends the run at once, so
  // Codex never gets to reconnect.
  const w = await makeTestWorkspace({ watchdog: "start_timeout_s = 30\nstall_timeout_s = 300\nwall_timeout_s = 1800", toml: "[gateway]\nenabled = false\n" });
  await w.server.close();
  const file = path.join(w.dir, "codex-relay.toml");
  await writeFile(file, (await readFile(file, "utf8")).replace("[codex]\n", `[codex]\nunreachable_s = ${unreachableS}\n`));
  return w;
}

/** The reconnect events of a request's event log, in order. */
async function reconnectsLogged(w: TestWorkspace, id: string): Promise<string[]> {
  const lines = (await readFile(w.layout.log(id), "utf8")).split("\n").filter(Boolean);
  return lines.map((line) => JSON.parse(line)).filter((e) => e.type === "error" && /^Reconnecting/.test(e.message)).map((e) => e.message as string);
}

/** Every reconnect in the log is on stderr, once, numbered, in order; nothing else says it. */
async function expectEveryReconnectShown(w: TestWorkspace, id: string, stderr: string): Promise<void> {
  const logged = await reconnectsLogged(w, id);
  expect(logged.length).toBeGreaterThan(0);
  const shown = stderr.split("\n").filter((line) => line.includes("provider unreachable, reconnecting"));
  expect(shown).toEqual(logged.map((message, i) => `codex-relay: ${id}: provider unreachable, reconnecting (${i + 1}): ${message}`));
}

describe("reconnects on the waiting client's stderr", () => {
  it("without a daemon: delegate --wait and diagnose --wait show each attempt; stdout is the RESULT alone", async () => {
    const w = (held.ws = await downWorkspace(3));
    const run = await w.cli(["delegate", "--wait", "--json", "--issue", "why?"], { timeoutMs: 60_000 });
    expect(run.exitCode).toBe(1);
    const result = JSON.parse(run.stdout); // nothing but the RESULT
    expect(result.error.code).toBe("codex_unreachable");
    await expectEveryReconnectShown(w, result.id, run.stderr);

    const diagnose = await w.cli(["diagnose", "the build hangs", "--wait", "--json"], { timeoutMs: 60_000 });
    const diagnosis = JSON.parse(diagnose.stdout);
    expect(diagnosis.kind).toBe("diagnose");
    await expectEveryReconnectShown(w, diagnosis.id, diagnose.stderr);
  });

  it("with a daemon: delegate --wait and wait <id> show each attempt", async () => {
    const w = (held.ws = await downWorkspace(3));
    const daemon = (held.daemon = await startDaemonProcess(w));
    const run = await w.cli(["delegate", "--wait", "--json", "--issue", "why?"], { timeoutMs: 60_000 });
    const result = JSON.parse(run.stdout);
    expect(result.error.code).toBe("codex_unreachable");
    await expectEveryReconnectShown(w, result.id, run.stderr);

    const id = (await w.cli(["delegate", "--issue", "and again?"])).stdout.trim();
    const wait = await w.cli(["wait", id, "--json"], { timeoutMs: 60_000 });
    expect(wait.exitCode).toBe(1);
    expect(JSON.parse(wait.stdout).id).toBe(id);
    await expectEveryReconnectShown(w, id, wait.stderr);
  });
});
