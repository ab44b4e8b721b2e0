// The daemon in this process watching a Claude Code session in a fake home: a phrase typed there
// becomes a request the daemon answers through the real codex binary and the scripted model.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { createLogger } from "../../src/context/logger.js";
import { createRelayContext } from "../../src/context/relay-context.js";
import { requestIdOf } from "../../src/protocol/layout.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, logEvents, makeTestWorkspace, until, type TestWorkspace } from "../helpers/relay-workspace.js";

const SESSION = "9d2f0a1b-3c4d-4e5f-8a6b-7c8d9e0f1a2b";
const TRANSCRIPTS = `
[transcripts]
paths = ["~/.claude/projects/-home-dev-shop"]
poll_ms = 200
`;

let ws: TestWorkspace | undefined;
let daemon: Daemon | undefined;

afterEach(async () => {
  await daemon?.stop({ graceMs: 0 });
  daemon = undefined;
  await ws?.cleanup();
  ws = undefined;
});

async function workspace(toml = TRANSCRIPTS): Promise<{ ws: TestWorkspace; session: string }> {
  ws = await makeTestWorkspace({ toml });
  ws.server.setDefault(jsonMessage(analysisReply()));
  const project = path.join(ws.env.HOME!, ".claude/projects/-home-dev-shop");
  await mkdir(project, { recursive: true });
  const session = path.join(project, `${SESSION}.jsonl`);
  await writeFile(session, userLine("hello"));
  return { ws, session };
}

async function startDaemon(w: TestWorkspace): Promise<Daemon> {
  const ctx = await createRelayContext({
    workspace: w.dir,
    env: w.env,
    logger: (redactor, layout) => createLogger({ file: layout.logFile, redactor }),
  });
  daemon = new Daemon(ctx);
  await daemon.start();
  return daemon;
}

let seq = 0;
function userLine(content: string): string {
  seq += 1;
  return `${JSON.stringify({ parentUuid: null, isSidechain: false, userType: "external", cwd: "/home/dev/shop", sessionId: SESSION, version: "2.1.144", type: "user", message: { role: "user", content }, uuid: `u-${seq}`, timestamp: "2026-11-20T09:15:40.002Z" })}\n`;
}

async function requestIds(w: TestWorkspace): Promise<string[]> {
  return (await readdir(w.layout.inbox)).map((name) => requestIdOf(name)).filter((id): id is string => id !== undefined).sort();
}

async function resultOf(w: TestWorkspace, id: string): Promise<Record<string, any>> {
  await until(() => existsSync(w.layout.result(id, "json")), `RESULT of ${id}`);
  return JSON.parse(await readFile(w.layout.result(id, "json"), "utf8"));
}

describe("transcripts watched by the daemon", () => {
  it("answers a phrase the user typed in a Claude Code session, with the file the conversation mentioned", async () => {
    const { ws: w, session } = await workspace();
    await startDaemon(w);
    await appendFile(session, userLine("The README.md title is wrong.\nDELEGATE TO CODEX: the README title renders twice"));
    await until(async () => (await requestIds(w)).length === 1, "the request from the transcript");
    const [id] = await requestIds(w);
    const result = await resultOf(w, id!);
    expect(result.status).toBe("completed");
    expect(w.server.requests).toHaveLength(1);
    const prompt = w.server.requests[0]!.text;
    expect(prompt).toContain("the README title renders twice");
    expect(prompt).toContain("# test repo"); // README.md, embedded because the conversation mentioned it
    const request = await readFile(w.layout.request(id!), "utf8");
    expect(request).toContain(`transcript: ${session}`);
    expect(request).toContain(`requested_by: "claude-code transcript"`);
    expect(logEvents(w.layout)).toContainEqual(expect.objectContaining({ event: "transcript request", id, transcript: session, role: "user" }));
  });

  it("neither misses nor repeats a phrase across a daemon restart", async () => {
    const { ws: w, session } = await workspace();
    await startDaemon(w);
    await appendFile(session, userLine("DELEGATE TO CODEX: first, before the restart"));
    await until(async () => (await requestIds(w)).length === 1, "the first request");
    await resultOf(w, (await requestIds(w))[0]!);
    await daemon!.stop();
    daemon = undefined;
    await appendFile(session, userLine("DELEGATE TO CODEX: second, while the daemon was stopped"));
    await startDaemon(w);
    await until(async () => (await requestIds(w)).length === 2, "the second request");
    await appendFile(session, userLine("DELEGATE TO CODEX: third, after the restart"));
    await until(async () => (await requestIds(w)).length === 3, "the third request");
    for (const id of await requestIds(w)) expect((await resultOf(w, id)).status).toBe("completed");
    await daemon!.sweep();
    await daemon!.idle();
    expect(await requestIds(w)).toHaveLength(3);
    expect(w.server.requests).toHaveLength(3);
    const prompts = w.server.requests.map((r) => r.text);
    for (const issue of ["first, before the restart", "second, while the daemon was stopped", "third, after the restart"]) {
      expect(prompts.filter((p) => p.includes(issue))).toHaveLength(1);
    }
  });

  it("makes no request for a prompt the hook already turned into one", async () => {
    const { ws: w, session } = await workspace();
    await startDaemon(w);
    const issue = "flaky login test on CI";
    const record = path.join(w.layout.relay, "hook-requests", `${createHash("sha256").update(`${SESSION}\n${issue}`).digest("hex")}.json`);
    await mkdir(path.dirname(record), { recursive: true });
    await writeFile(record, "{}");
    await appendFile(session, userLine(`DELEGATE TO CODEX: ${issue}`));
    await appendFile(session, userLine("DELEGATE TO CODEX: something the hook did not see"));
    await until(async () => (await requestIds(w)).length === 1, "the one request");
    await until(() => logEvents(w.layout).some((e) => e.event === "transcript phrase skipped"), "the skip to be logged");
    const [id] = await requestIds(w);
    expect(await readFile(w.layout.request(id!), "utf8")).toContain("something the hook did not see");
    await resultOf(w, id!);
    expect(await requestIds(w)).toHaveLength(1);
  });

  it("watches nothing and keeps no transcript state when no paths are configured", async () => {
    const { ws: w, session } = await workspace("");
    await startDaemon(w);
    await appendFile(session, userLine("DELEGATE TO CODEX: nobody is listening"));
    await daemon!.sweep();
    await daemon!.idle();
    expect(await requestIds(w)).toEqual([]);
    expect(existsSync(path.join(w.layout.relay, "transcripts"))).toBe(false);
    expect(logEvents(w.layout).some((e) => e.event === "watching transcripts")).toBe(false);
  });
});
