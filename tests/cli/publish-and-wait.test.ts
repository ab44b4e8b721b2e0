// What `delegate`, `diagnose`, `patch` and `micro` share (src/cli/publish-and-wait.ts), through the
// built CLI: the request each one publishes as the daemon parses it, what it prints without
// waiting, and a client that waits for a serving daemon; plus how `show` and `wait` treat a
// RESULT file that is not one. Real temp git repositories, the real codex binary, the scripted model.
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RESULT_STATUSES } from "../../src/cli/finished-result.js";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { ResultStatus } from "../../src/protocol/result.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, cleanUpAfterEach, logEvents, makeTestWorkspace, startDaemonProcess, type TestWorkspace } from "../helpers/relay-workspace.js";

const held = cleanUpAfterEach();

async function published(w: TestWorkspace, id: string) {
  const parsed = parseRequest(await readFile(w.layout.request(id), "utf8"));
  if (!parsed.ok) throw new Error(`request ${id} does not parse: ${parsed.reason}`);
  return parsed.request;
}

describe("publishing without waiting", () => {
  it("diagnose, patch and micro each publish a request of their kind and print its id", async () => {
    const w = (held.ws = await makeTestWorkspace());
    const diagnose = await w.cli(["diagnose", "the build hangs", "--model", "gpt-5.5"]);
    const patch = await w.cli(["patch"]);
    const micro = await w.cli(["micro", "add a null check", "--files", "a.ts, b.ts", "--detach"]);
    for (const run of [diagnose, patch, micro]) {
      expect(run.exitCode).toBe(0);
      expect(run.stdout.trim()).toMatch(/^\d{8}_\d{6}(_\d+)?$/);
      expect(run.stderr).toBe("");
    }
    expect(await published(w, diagnose.stdout.trim())).toMatchObject({ kind: "diagnose", issue: "the build hangs", model: "gpt-5.5", requestedBy: "codex-relay diagnose" });
    expect(await published(w, patch.stdout.trim())).toMatchObject({ kind: "patch", issue: "Apply the diagnosed fix for progress/TASK_PACKET.md.", requestedBy: "codex-relay patch" });
    expect(await published(w, micro.stdout.trim())).toMatchObject({ kind: "micro", issue: "add a null check", files: ["a.ts", "b.ts"], requestedBy: "codex-relay micro" });
    expect(w.server.requests).toHaveLength(0);
  });

  it("--json prints the id with the request and RESULT paths, for every publishing command", async () => {
    const w = (held.ws = await makeTestWorkspace());
    for (const argv of [["delegate", "--issue", "x"], ["diagnose"], ["patch"], ["micro", "tidy", "--detach"]]) {
      const run = await w.cli([...argv, "--json"]);
      expect(run.exitCode).toBe(0);
      const printed = JSON.parse(run.stdout);
      expect(printed).toEqual({ id: printed.id, request: w.layout.request(printed.id), result: w.layout.result(printed.id, "json") });
    }
  });

  it("a blank --model or --context counts as not given", async () => {
    const w = (held.ws = await makeTestWorkspace());
    const run = await w.cli(["delegate", "--issue", "blank flags", "--model", " ", "--context", "  "]);
    expect(run.exitCode).toBe(0);
    const request = await published(w, run.stdout.trim());
    expect(request.model).toBeUndefined();
    expect(request.context).toBe("");
  });
});

describe("waiting for a serving daemon", () => {
  it("delegate --wait prints the RESULT the daemon wrote and runs nothing itself", async () => {
    const w = (held.ws = await makeTestWorkspace());
    w.server.setDefault(jsonMessage(analysisReply()));
    const daemon = (held.daemon = await startDaemonProcess(w));
    const run = await w.cli(["delegate", "--wait", "--issue", "answered by the daemon"]);
    expect(run.exitCode).toBe(0);
    const id = /request (\S+) written/.exec(run.stderr)?.[1] ?? "";
    // The line that says it waits, then the request's steps: an inline run would have logged its own lines here.
    const [first, ...steps] = run.stderr.split("\n");
    expect(first).toBe(`codex-relay: request ${id} written; waiting for its RESULT`);
    expect(steps.length).toBeGreaterThan(0);
    for (const line of steps) expect(line).toMatch(new RegExp(`^codex-relay: \\d\\d:\\d\\d:\\d\\d ${id}: `));
    expect(run.stdout).toBe((await readFile(w.layout.result(id, "md"), "utf8")).trimEnd());
    expect(logEvents(w.layout).some((e) => e.event === "codex started" && e.id === id)).toBe(true);
    expect(w.server.requests).toHaveLength(1);
  });

  it("wait on a finished request prints it at once, as JSON identical to the file", async () => {
    const w = (held.ws = await makeTestWorkspace());
    w.server.setDefault(jsonMessage(analysisReply()));
    const first = JSON.parse((await w.cli(["delegate", "--wait", "--json", "--issue", "finished"])).stdout);
    const again = await w.cli(["wait", first.id, "--json"]);
    expect(again.exitCode).toBe(0);
    expect(`${again.stdout}\n`).toBe(await readFile(w.layout.result(first.id, "json"), "utf8"));
  });
});

describe("a RESULT file that is not a RESULT", () => {
  it("is not printed: show and wait both say it does not read, and wait ends (a RESULT lands whole: it is final)", async () => {
    const w = (held.ws = await makeTestWorkspace());
    const id = (await w.cli(["delegate", "--issue", "garbled result"])).stdout.trim();
    for (const text of ["{ not json", JSON.stringify({ schema: "codex-relay/result@2", id, status: "completed", summary: "" })]) {
      await writeFile(w.layout.result(id, "json"), text);
      const show = await w.cli(["show", id]);
      expect(show.stdout.trim()).toBe(`${id}: failed: unreadable_result`);
      const wait = await w.cli(["wait", id, "--timeout", "30"], { timeoutMs: 40_000 });
      expect([wait.exitCode, wait.stdout]).toEqual([1, show.stdout]);
      const json = await w.cli(["wait", id, "--json"], { timeoutMs: 40_000 });
      expect([json.exitCode, JSON.parse(json.stdout)]).toEqual([1, JSON.parse((await w.cli(["show", id, "--json"])).stdout)]);
    }
  });

  it("one that lands while wait waits ends the wait", async () => {
    const w = (held.ws = await makeTestWorkspace());
    const id = (await w.cli(["delegate", "--issue", "garbled later"])).stdout.trim();
    const waiting = w.cli(["wait", id, "--timeout", "60"], { timeoutMs: 80_000 });
    await writeFile(w.layout.result(id, "json"), "{ not json");
    const wait = await waiting;
    expect([wait.exitCode, wait.stdout.trim()]).toEqual([1, `${id}: failed: unreadable_result`]);
  });

  it("the client's statuses are the protocol's", () => {
    expect([...RESULT_STATUSES]).toEqual(ResultStatus.options);
  });
});

describe("a codex-relay.toml that does not validate", () => {
  /** Every file under the workspace but .git, with its size: what a command left behind. */
  async function files(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && !path.relative(dir, e.parentPath).split(path.sep).includes(".git"))
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort();
  }

  it("stops every publishing command before it writes anything: exit 2, the file, the key, expected and found", async () => {
    const w = (held.ws = await makeTestWorkspace());
    const file = path.join(w.dir, "codex-relay.toml");
    await writeFile(file, (await readFile(file, "utf8")).replace("settle_ms = 300", 'settle_ms = "soon"'));
    const outside = path.join(w.dir, "..", `${path.basename(w.dir)}-request.md`);
    await writeFile(outside, "## Issue\nfrom a file\n");
    const before = await files(w.dir);
    const commands = [
      ["delegate", "--issue", "x"],
      ["delegate", "--wait", "--issue", "x"],
      ["diagnose", "--wait"],
      ["patch", "--wait"],
      ["micro", "tidy"],
      ["run", outside],
    ];
    try {
      for (const argv of commands) {
        const run = await w.cli(argv, { timeoutMs: 20_000 });
        const what = argv.join(" ");
        expect(run.exitCode, what).toBe(2);
        expect(run.stdout, what).toBe("");
        expect(run.stderr, what).toContain(`codex-relay ${argv[0]}: ${file} is invalid:`);
        expect(run.stderr, what).toMatch(/key `daemon\.settle_ms`: expected number, received string; found the string "soon"/);
        expect(await files(w.dir), what).toEqual(before);
      }
    } finally {
      await rm(outside, { force: true });
    }
    expect(w.server.requests).toHaveLength(0);
  });
});
