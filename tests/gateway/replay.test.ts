// Record and replay on the real codex binary: the gateway keeps each run's model calls, and
// `codex-relay replay <id>` runs the request again against that recording (no upstream, no tokens),
// or stops with replay_diverged where Codex asks something the recording does not hold.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { execCommand, jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, makeTestWorkspace, startDaemonProcess, type DaemonProcess, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  await daemon?.kill();
  daemon = undefined;
  await ws?.cleanup();
});

const delegate = async (issue = "why does /runs/start fail?") => JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", issue])).stdout);
const replay = async (id: string) => {
  const run = await ws.cli(["replay", id, "--json"]);
  return { ...run, result: run.stdout ? JSON.parse(run.stdout) : undefined };
};

async function recordingBytes(dir: string): Promise<number> {
  const names = await readdir(dir);
  const sizes = await Promise.all(names.map(async (name) => (await stat(path.join(dir, name))).size));
  return sizes.reduce((sum, n) => sum + n, 0);
}

const indexLines = async (id: string) =>
  (await readFile(path.join(ws.layout.recording(id), "calls.jsonl"), "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l));

/** A recorded run: Codex reads a file with its own tool, then answers. */
async function recordedRun(toml?: string): Promise<Record<string, any>> {
  ws = await makeTestWorkspace({ toml });
  ws.server.enqueue(execCommand("cat README.md"), jsonMessage(analysisReply()));
  const original = await delegate();
  expect(original.status).toBe("completed");
  return original;
}

describe("codex-relay replay", () => {
  it("replays a recorded run with no upstream call: the same analysis, a new RESULT carrying replay_of", async () => {
    const original = await recordedRun();
    expect((await indexLines(original.id)).map((l) => [l.call, l.method, l.path, l.status])).toEqual([
      [1, "POST", "/responses", 200],
      [2, "POST", "/responses", 200],
    ]);
    const sent = ws.server.requests.length;
    // Were anything sent upstream, this reply would show in the analysis.
    ws.server.setDefault(jsonMessage(analysisReply({ root_cause: "the upstream answered, not the recording" })));

    const first = await replay(original.id);
    expect(first.exitCode).toBe(0);
    expect(first.result.status).toBe("completed");
    expect(first.result.id).not.toBe(original.id);
    expect(first.result.replay_of).toBe(original.id);
    expect(first.result.analysis).toEqual(original.analysis);
    expect(first.result.usage.cost_usd).toBe(0);
    expect(first.result.gateway.upstream).toBe(`recording:${original.id}`);
    expect(ws.server.requests).toHaveLength(sent);
    expect(await readFile(ws.layout.request(first.result.id), "utf8")).toMatch(new RegExp(`^---\\nreplay_of: "${original.id}"\\n`));
    expect(await readFile(ws.layout.result(first.result.id, "md"), "utf8")).toContain(`**Replay of:** ${original.id}`);
    expect(existsSync(ws.layout.recording(first.result.id))).toBe(false); // a replay is not recorded again

    await ws.server.close(); // no upstream at all
    const second = await replay(original.id);
    expect(second.result.status).toBe("completed");
    expect(second.result.analysis).toEqual(original.analysis);
  });

  it("stops with replay_diverged naming the call when a template or the request's issue changed", async () => {
    const original = await recordedRun();
    const sent = ws.server.requests.length;
    await mkdir(ws.layout.templates, { recursive: true });
    const shipped = await readFile(new URL("../../templates/analysis-prompt.md", import.meta.url), "utf8");
    await writeFile(path.join(ws.layout.templates, "codex-relay-analysis-prompt.md"), shipped.replace("Work out the root cause", "Find the root cause"));
    const edited = await replay(original.id);
    expect(edited.exitCode).toBe(1);
    expect(edited.result.status).toBe("failed");
    expect(edited.result.replay_of).toBe(original.id);
    expect(edited.result.error.code).toBe("replay_diverged");
    expect(edited.result.error.message).toMatch(new RegExp(`^the replay of ${original.id} diverged at model call 1: input\\[\\d+\\]\\.content\\[0\\]\\.text differs`));
    expect(edited.result.error.message).toContain("Work out the root cause");
    expect(edited.result.error.message).toContain("Find the root cause");

    await writeFile(path.join(ws.layout.templates, "codex-relay-analysis-prompt.md"), shipped);
    const request = ws.layout.request(original.id);
    await writeFile(request, (await readFile(request, "utf8")).replace("why does /runs/start fail?", "why does /runs/stop fail?"));
    const asked = await replay(original.id);
    expect(asked.result.error.code).toBe("replay_diverged");
    expect(asked.result.error.message).toContain("diverged at model call 1");
    expect(asked.result.error.message).toContain("/runs/stop");
    expect(ws.server.requests).toHaveLength(sent);
  });

  it("replays with a daemon running (whichever process claims the replay, its gateway serves the recording)", async () => {
    const original = await recordedRun();
    const sent = ws.server.requests.length;
    daemon = await startDaemonProcess(ws);
    const replayed = await replay(original.id);
    expect(replayed.result.status).toBe("completed");
    expect(replayed.result.replay_of).toBe(original.id);
    expect(replayed.result.analysis).toEqual(original.analysis);
    expect(ws.server.requests).toHaveLength(sent);
  });

  it("refuses an id without a recording (exit 2), and writes nothing", async () => {
    ws = await makeTestWorkspace({ toml: "[gateway]\nrecord = false\n" });
    ws.server.enqueue(jsonMessage(analysisReply()));
    const original = await delegate();
    const before = await readdir(ws.layout.inbox);
    const run = await ws.cli(["replay", original.id]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`request ${original.id} has no recording to replay`);
    expect(await readdir(ws.layout.inbox)).toEqual(before);
  });
});

describe("recordings stay under their size bounds", () => {
  it("stops a recording at gateway.recording_max_bytes, and a replay diverges where it stopped", async () => {
    // Codex's first request body is about 40 KB: the first call fits, the second does not.
    const original = await recordedRun("[gateway]\nrecording_max_bytes = 60000\n");
    const dir = ws.layout.recording(original.id);
    expect(await recordingBytes(dir)).toBeLessThanOrEqual(60_000);
    expect(await indexLines(original.id)).toEqual([expect.objectContaining({ call: 1 }), { stopped: "recording_max_bytes", call: 2, max_bytes: 60_000 }]);
    const replayed = await replay(original.id);
    expect(replayed.result.error.code).toBe("replay_diverged");
    expect(replayed.result.error.message).toContain("diverged at model call 2: the recording stops before it");
  });

  it("removes the oldest recordings when all of them would pass gateway.recordings_max_bytes", async () => {
    const first = await recordedRun("[gateway]\nrecording_max_bytes = 60000\nrecordings_max_bytes = 90000\n");
    ws.server.enqueue(execCommand("cat README.md"), jsonMessage(analysisReply()));
    const second = await delegate("a second question");
    expect(second.status).toBe("completed");
    expect(existsSync(ws.layout.recording(first.id))).toBe(false);
    const root = path.dirname(ws.layout.recording(second.id));
    expect(await readdir(root)).toEqual([second.id]);
    expect(await recordingBytes(ws.layout.recording(second.id))).toBeLessThanOrEqual(60_000);
  });
});
