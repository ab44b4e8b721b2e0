// `codex-relay hook claude-code` fed the JSON Claude Code 2.1.332 sends (prompt_id, stop_hook_active,
// last_assistant_message; AI_AGENT in the environment), through the built CLI: a hook installed
// twice answers once, Stop speaks through additionalContext where Claude Code takes it, a RESULT the
// agent read with `codex-relay wait` is not announced again, and the agent's own phrase is handled
// like a prompt's.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { layoutFor, REQUEST_FILE, type Layout } from "../../src/protocol/layout.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { gitdir } from "../helpers/gitdir.js";
import { analysisReply, CLI, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

const SESSION = "9479e82d-e65c-464f-a03b-c273d2f2baba";
const CLAUDE_2_1_332 = { AI_AGENT: "claude-code_2-1-332_harness" };

let ws: TestWorkspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

function hook(args: string[], input: string, env: Record<string, string> = {}) {
  return execa(process.execPath, [CLI, "hook", "claude-code", ...args], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: os.tmpdir(), ...env },
    extendEnv: false,
    reject: false,
    input,
    timeout: 30_000,
  });
}

const base = (cwd: string, promptId: string, session = SESSION) => ({
  session_id: session,
  transcript_path: `/home/u/.claude/projects/x/${session}.jsonl`,
  cwd,
  prompt_id: promptId,
  permission_mode: "default",
});

function promptEvent(cwd: string, prompt: string, promptId = "p-1", session = SESSION): string {
  return JSON.stringify({ ...base(cwd, promptId, session), hook_event_name: "UserPromptSubmit", prompt });
}

function stopEvent(cwd: string, last: string, options: { promptId?: string; active?: boolean; session?: string; transcript?: string } = {}): string {
  const fields = base(cwd, options.promptId ?? "p-1", options.session);
  return JSON.stringify({
    ...fields,
    ...(options.transcript !== undefined ? { transcript_path: options.transcript } : {}),
    effort: { level: "medium" },
    hook_event_name: "Stop",
    stop_hook_active: options.active ?? false,
    last_assistant_message: last,
    background_tasks: [],
    session_crons: [],
  });
}

async function requestIds(layout: Layout): Promise<string[]> {
  const names = await readdir(layout.inbox).catch(() => [] as string[]);
  return names.flatMap((name) => REQUEST_FILE.exec(name)?.[1] ?? []).sort();
}

async function repo(): Promise<{ dir: string; layout: Layout }> {
  const dir = await gitdir({ prefix: "codex-relay-hook-cc-", commit: false });
  return { dir, layout: layoutFor(dir) };
}

/** A finished RESULT as the hook reads it (the .json is the commit point). */
async function finish(layout: Layout, id: string, summary: string): Promise<void> {
  await writeFile(layout.result(id, "json"), JSON.stringify({ id, status: "completed", summary }));
}

describe("a hook installed twice (the plugin and .claude/settings.json)", () => {
  it("runs twice per event with the same input: one request and one message; a new prompt of the same issue is still answered", async () => {
    const { dir, layout } = await repo();
    const input = promptEvent(dir, "DELEGATE TO CODEX: why does the export job exit 0 without output?");
    const runs = await Promise.all([hook([], input), hook([], input)]);
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0]);
    const [id, ...more] = await requestIds(layout);
    expect(more).toEqual([]);
    const spoke = runs.filter((r) => r.stdout !== "");
    expect(spoke).toHaveLength(1);
    expect(JSON.parse(spoke[0]!.stdout).hookSpecificOutput.additionalContext).toContain(`is now Codex delegation request ${id}`);

    // The same words as a new prompt (a new prompt_id) are a new event: told the pending request.
    const again = await hook([], promptEvent(dir, "DELEGATE TO CODEX: why does the export job exit 0 without output?", "p-2"));
    expect(JSON.parse(again.stdout).hookSpecificOutput.additionalContext).toContain(`still pending as request ${id}`);
    expect(await requestIds(layout)).toEqual([id]);
  });

  it("announces a RESULT once when both Stop hooks run at once", async () => {
    const { dir, layout } = await repo();
    await hook([], promptEvent(dir, "DELEGATE TO CODEX: the cache never expires"));
    const [id] = await requestIds(layout);
    await finish(layout, id!, "the TTL is read in seconds");
    const input = stopEvent(dir, "Working on it.");
    const runs = await Promise.all([hook([], input, CLAUDE_2_1_332), hook([], input, CLAUDE_2_1_332)]);
    const spoke = runs.filter((r) => r.stdout !== "");
    expect(spoke).toHaveLength(1);
    expect(JSON.parse(spoke[0]!.stdout).hookSpecificOutput.additionalContext).toContain(`Codex answered delegation request ${id}`);
  });
});

describe("how the Stop hook speaks", () => {
  it("additionalContext for Claude Code 2.1.163 and later (AI_AGENT, else the transcript's version), decision block before", async () => {
    const { dir, layout } = await repo();
    const sessions = { current: "s-current", old: "s-old", transcript: "s-transcript", unknown: "s-unknown" };
    for (const session of Object.values(sessions)) await hook([], promptEvent(dir, `DELEGATE TO CODEX: issue of ${session}`, "p-1", session));
    for (const id of await requestIds(layout)) await finish(layout, id, "answered");
    const transcript = path.join(dir, "transcript.jsonl");
    await writeFile(transcript, `${JSON.stringify({ type: "user", sessionId: sessions.transcript, version: "2.1.200", message: { role: "user", content: "hi" } })}\n`);

    const current = JSON.parse((await hook([], stopEvent(dir, "ok", { session: sessions.current }), CLAUDE_2_1_332)).stdout);
    expect(current).toEqual({ hookSpecificOutput: { hookEventName: "Stop", additionalContext: expect.stringContaining("Codex answered delegation request") } });
    const old = JSON.parse((await hook([], stopEvent(dir, "ok", { session: sessions.old }), { AI_AGENT: "claude-code_2-1-162_harness" })).stdout);
    expect(old).toEqual({ decision: "block", reason: expect.stringContaining("Codex answered delegation request") });
    const fromTranscript = JSON.parse((await hook([], stopEvent(dir, "ok", { session: sessions.transcript, transcript }))).stdout);
    expect(fromTranscript.hookSpecificOutput.additionalContext).toContain("Codex answered delegation request");
    const unknown = JSON.parse((await hook([], stopEvent(dir, "ok", { session: sessions.unknown }))).stdout);
    expect(unknown.decision).toBe("block");
  });

  it("never announces a RESULT twice in a session, whatever stop_hook_active says", async () => {
    const { dir, layout } = await repo();
    await hook([], promptEvent(dir, "DELEGATE TO CODEX: the logo is blurry"));
    const [id] = await requestIds(layout);
    await finish(layout, id!, "the SVG is rasterised at 1x");
    const first = await hook([], stopEvent(dir, "Done."), CLAUDE_2_1_332);
    expect(first.stdout).toContain(id);
    // Claude Code's known bug: the continuation's stop says stop_hook_active false again.
    const second = await hook([], stopEvent(dir, "Read it.", { active: false }), CLAUDE_2_1_332);
    expect(second.stdout).toBe("");
    expect(existsSync(path.join(dir, ".autonomous_runs/.relay/hook-sessions", SESSION, `announced-${id}`))).toBe(true);
  });
});

describe("a RESULT the agent read itself", () => {
  it("`codex-relay wait <id>` run in the session (CLAUDE_CODE_SESSION_ID) is not announced there; its other request still is", async () => {
    ws = await makeTestWorkspace();
    await hook([], promptEvent(ws.dir, "DELEGATE TO CODEX: the rate limiter rejects every request\nDELEGATE TO CODEX: the cart total is off by one"));
    const [read, unread] = await requestIds(ws.layout);
    ws.server.setDefault(jsonMessage(analysisReply()));
    for (const id of [read!, unread!]) expect((await ws.cli(["run", ws.layout.request(id)])).exitCode).toBe(0);

    const waited = await ws.cli(["wait", read!], { env: { CLAUDE_CODE_SESSION_ID: SESSION, CLAUDECODE: "1" } });
    expect(waited.exitCode).toBe(0);
    expect(waited.stdout).toContain("The rate limiter decorator wraps the route");

    const stop = await hook([], stopEvent(ws.dir, "Codex says the decorator order is wrong."), CLAUDE_2_1_332);
    const text = JSON.parse(stop.stdout).hookSpecificOutput.additionalContext as string;
    expect(text).toContain(`Codex answered delegation request ${unread} (`);
    expect(text).not.toContain(`Codex answered delegation request ${read} (`);
  });

  it("a RESULT printed outside a Claude Code session (no CLAUDE_CODE_SESSION_ID) is still announced", async () => {
    ws = await makeTestWorkspace();
    await hook([], promptEvent(ws.dir, "DELEGATE TO CODEX: flaky checkout test"));
    const [id] = await requestIds(ws.layout);
    ws.server.enqueue(jsonMessage(analysisReply()));
    expect((await ws.cli(["run", ws.layout.request(id!)])).exitCode).toBe(0);
    expect((await ws.cli(["show", id!])).exitCode).toBe(0);
    const stop = await hook([], stopEvent(ws.dir, "ok"), CLAUDE_2_1_332);
    expect(stop.stdout).toContain(`Codex answered delegation request ${id}`);
  });
});

describe("the agent's own DELEGATE TO CODEX: (Stop, last_assistant_message)", () => {
  it("makes one request, tells the agent its id once, and announces its RESULT once", async () => {
    const { dir, layout } = await repo();
    const said = "I could not find it in the code.\n\nDELEGATE TO CODEX: why does add(2, 3) return -1?";
    const stop = await hook([], stopEvent(dir, said), CLAUDE_2_1_332);
    const [id, ...more] = await requestIds(layout);
    expect(more).toEqual([]);
    const told = JSON.parse(stop.stdout).hookSpecificOutput.additionalContext as string;
    expect(told).toContain(`"DELEGATE TO CODEX: why does add(2, 3) return -1?" is now Codex delegation request ${id}`);
    const request = await readFile(layout.request(id!), "utf8");
    expect(request).toMatch(/requested_by: "?claude-code agent \(stop hook\)/);
    expect(request).toContain("The Claude Code agent asked for this at the end of its turn, saying:");
    expect(request).toContain("I could not find it in the code.");

    // The agent says it again in its next message: no second request, nothing said, no extra turn.
    const repeat = await hook([], stopEvent(dir, `Waiting for Codex.\nDELEGATE TO CODEX: why does add(2, 3) return -1?`, { active: true }), CLAUDE_2_1_332);
    expect(repeat.stdout).toBe("");
    expect(await requestIds(layout)).toEqual([id]);

    await finish(layout, id!, "add() subtracts");
    const announced = await hook([], stopEvent(dir, "Anything else?", { promptId: "p-2" }), CLAUDE_2_1_332);
    expect(JSON.parse(announced.stdout).hookSpecificOutput.additionalContext).toContain(`Codex answered delegation request ${id}`);
  });

  it("does nothing for the phrase in a fenced block of the agent's message, and creates nothing", async () => {
    const { dir } = await repo();
    await mkdir(path.join(dir, "src"));
    const stop = await hook([], stopEvent(dir, "Write it like this:\n```\nDELEGATE TO CODEX: <issue>\n```"), CLAUDE_2_1_332);
    expect(stop.exitCode).toBe(0);
    expect(stop.stdout).toBe("");
    expect(existsSync(path.join(dir, ".autonomous_runs"))).toBe(false);
  });
});
