// A waiting client shows what Codex is doing while it works (issue 13 §2): `delegate --wait`,
// `wait`, `diagnose --wait` and `patch --wait`, with and without a daemon, through the built CLI,
// the real codex binary and the scripted model (tool calls, a delay between replies). stderr is not
// a terminal here, so each step is one timestamped line; stdout carries the RESULT alone.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { editFile, patchReply } from "../fixtures/patch-project.js";
import { execCommand, jsonMessage, type Reply } from "../fixtures/model-server.js";
import { makePatchWorkspace } from "../helpers/patch-workspace.js";
import { analysisReply, CLI, cleanUpAfterEach, makeTestWorkspace, startDaemonProcess, until, type TestWorkspace } from "../helpers/relay-workspace.js";
import { writeFiles } from "../helpers/testdir.js";

const held = cleanUpAfterEach();
const DELAY_MS = 150;

/** The steps of request `id` said on stderr, in order: `codex-relay: HH:MM:SS <id>: <step> (<figures>)`. */
function stepsOf(stderr: string, id: string): string[] {
  const steps: string[] = [];
  for (const line of stderr.split("\n")) {
    const match = /^codex-relay: \d{2}:\d{2}:\d{2} (\S+): (.*) \(\d[^()]*\)$/.exec(line);
    if (match?.[1] === id) steps.push(match[2]!);
  }
  return steps;
}

/** `expected` appear in `steps` in this order (other steps may come between). */
function expectInOrder(steps: string[], expected: string[]): void {
  let at = 0;
  for (const step of steps) if (step === expected[at]) at += 1;
  expect({ steps, found: expected.slice(0, at) }).toEqual({ steps, found: expected });
}

/** An analysis workspace whose model reads a file and runs the tests before it answers. */
async function busyWorkspace(toml = ""): Promise<TestWorkspace> {
  const w = await makeTestWorkspace({ toml });
  await writeFiles(w.dir, {
    "src/x.js": "export const x = 1;\n",
    "package.json": `${JSON.stringify({ name: "demo", private: true, scripts: { test: "node -e \"console.log('ok')\"" } })}\n`,
  });
  return w;
}

/** `firstDelayMs`: how long the first reply takes (a client that attaches later still finds it running). */
function scriptAnalysis(w: TestWorkspace, firstDelayMs = DELAY_MS): void {
  const slow = (reply: Reply, delayMs = DELAY_MS): Reply => ({ ...reply, delayMs });
  w.server.enqueue(slow(execCommand("cat src/x.js"), firstDelayMs), slow(execCommand("npm test")), slow(jsonMessage(analysisReply())));
}

const ANALYSIS_STEPS = ["starting Codex", "thinking", "reading src/x.js", "running npm test", "writing the answer"];

describe("steps on the waiting client's stderr", () => {
  it("without a daemon: delegate --wait says each step in order; stdout is the RESULT alone", async () => {
    const w = (held.ws = await busyWorkspace());
    scriptAnalysis(w);
    const run = await w.cli(["delegate", "--wait", "--json", "--issue", "why is x 1?"]);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(`${run.stdout}\n`).toBe(await readFile(w.layout.result(result.id, "json"), "utf8"));
    expectInOrder(stepsOf(run.stderr, result.id), ANALYSIS_STEPS);
    // Tokens so far, from the gateway's meter, once the first model call is done.
    expect(run.stderr).toMatch(new RegExp(`${result.id}: reading src/x\\.js \\(\\d+ s, \\d+ tokens\\)`));
  });

  it("with a daemon: delegate --wait and wait <id> say the same steps; the console says them per request", async () => {
    const w = (held.ws = await busyWorkspace());
    const daemon = (held.daemon = await startDaemonProcess(w));
    scriptAnalysis(w);
    const run = await w.cli(["delegate", "--wait", "--issue", "why is x 1?"]);
    expect(run.exitCode).toBe(0);
    const id = /request (\S+) written/.exec(run.stderr)?.[1] ?? "";
    expect(run.stdout).toBe((await readFile(w.layout.result(id, "md"), "utf8")).trimEnd());
    expectInOrder(stepsOf(run.stderr, id), ANALYSIS_STEPS);
    expect(run.stderr).not.toContain("codex started"); // the daemon's own log lines stay on its console

    scriptAnalysis(w, 2000);
    const second = (await w.cli(["delegate", "--issue", "and again?"])).stdout.trim();
    const wait = await w.cli(["wait", second, "--json"]);
    expect(JSON.parse(wait.stdout).id).toBe(second);
    expectInOrder(stepsOf(wait.stderr, second), ANALYSIS_STEPS.slice(2));

    const console = (await daemon.stop()).stdout;
    const consoleSteps = console
      .split("\n")
      .map((line) => new RegExp(`progress +\\[${id}\\] (.*?)(?: tokens=\\d+)?$`).exec(line)?.[1])
      .filter((step) => step !== undefined);
    expectInOrder(consoleSteps, ["thinking", "reading src/x.js", "running npm test", "writing the answer"]);
  });

  it("patch --wait says the baseline, Codex's edit and the verification, with paths relative to the sandbox", async () => {
    const w = (held.ws = await makePatchWorkspace({ toml: "[patch]\nauto_diagnose = false\nauto_patch = false\n" }));
    w.server.enqueue({ ...editFile("src/math.js", "  return a - b;", "  return a + b;"), delayMs: DELAY_MS }, { ...patchReply(), delayMs: DELAY_MS });
    const run = await w.cli(["patch", "--wait", "--json"], { timeoutMs: 120_000 });
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(`${run.stdout}\n`).toBe(await readFile(w.layout.result(result.id, "json"), "utf8"));
    expectInOrder(stepsOf(run.stderr, result.id), ["baseline: node test.js", "starting Codex", "editing src/math.js", "writing the answer", "verifying: node test.js"]);
  });

  it("a request held for approval says so until it is approved", async () => {
    const w = (held.ws = await busyWorkspace("[approval]\nrequired = true\n"));
    held.daemon = await startDaemonProcess(w);
    scriptAnalysis(w);
    const client = execa(process.execPath, [CLI, "delegate", "--wait", "--issue", "needs a yes"], { cwd: w.dir, env: w.env, extendEnv: false, reject: false, stdin: "ignore" });
    let stderr = "";
    client.stderr?.on("data", (chunk: Buffer) => (stderr += String(chunk)));
    await until(() => /: waiting for approval/.test(stderr), "the client to say the request waits for approval");
    const id = /request (\S+) written/.exec(stderr)?.[1] ?? "";
    expect((await w.cli(["approve", id])).exitCode).toBe(0);
    const run = await client;
    expect(run.exitCode).toBe(0);
    expectInOrder(stepsOf(String(run.stderr), id), [`waiting for approval (codex-relay approve ${id})`, "starting Codex", "reading src/x.js", "writing the answer"]);
  });
});

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

/** Every reconnect in the log is a step on stderr, once, numbered, in order; nothing else says it. */
async function expectEveryReconnectShown(w: TestWorkspace, id: string, stderr: string): Promise<void> {
  const logged = await reconnectsLogged(w, id);
  expect(logged.length).toBeGreaterThan(0);
  expect(stepsOf(stderr, id).filter((step) => step.startsWith("reconnecting"))).toEqual(logged.map((message, i) => `reconnecting to the provider (${i + 1}): ${message}`));
  expect(stderr).not.toContain("provider unreachable, reconnecting"); // the inline run's log line is left to the step
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
    held.daemon = await startDaemonProcess(w);
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
