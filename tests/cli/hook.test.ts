// `codex-relay hook claude-code|cursor` through the built CLI, fed the JSON an editor writes on a
// hook's stdin: requests from `DELEGATE TO CODEX:`, the dedupe records, the announcements of
// finished RESULTs (a real one, made by the real codex binary), and that nothing ever fails a prompt.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { layoutFor, REQUEST_FILE, type Layout } from "../../src/protocol/layout.js";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { claimPhrase, savePhraseRecord } from "../../src/protocol/phrase-records.js";
import { publishRequest } from "../../src/protocol/publish-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import { createRedactor } from "../../src/security/redact.js";
import type { DelegationRequest } from "../../src/protocol/request.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, CLI, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";
import { gitdir } from "../helpers/gitdir.js";

let ws: TestWorkspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

/** A git repository with a subfolder the editor works in. */
async function repo(): Promise<{ dir: string; sub: string; layout: Layout }> {
  const dir = await gitdir({ prefix: "codex-relay-hook-", commit: false });
  const sub = path.join(dir, "src", "app");
  await mkdir(sub, { recursive: true });
  return { dir, sub, layout: layoutFor(dir) };
}

/** The hook as the editor runs it: stdin is the event's JSON; the process's own cwd is elsewhere. */
function hook(args: string[], input: string, env: Record<string, string> = {}, cwd = os.tmpdir()) {
  return execa(process.execPath, [CLI, "hook", ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: os.tmpdir(), ...env },
    extendEnv: false,
    reject: false,
    input,
    timeout: 30_000,
  });
}

function promptEvent(cwd: string, prompt: string, sessionId = "5f0c-session-a") {
  return JSON.stringify({
    session_id: sessionId,
    transcript_path: `/home/u/.claude/projects/x/${sessionId}.jsonl`,
    cwd,
    permission_mode: "default",
    hook_event_name: "UserPromptSubmit",
    prompt,
  });
}

function stopEvent(cwd: string, sessionId = "5f0c-session-a") {
  return JSON.stringify({ session_id: sessionId, transcript_path: `/x/${sessionId}.jsonl`, cwd, hook_event_name: "Stop", stop_hook_active: false });
}

async function requestIds(layout: Layout): Promise<string[]> {
  const names = await readdir(layout.inbox).catch(() => [] as string[]);
  return names.flatMap((name) => REQUEST_FILE.exec(name)?.[1] ?? []).sort();
}

/** A request file as the daemon reads it. */
async function readRequest(layout: Layout, id: string): Promise<DelegationRequest> {
  const parsed = parseRequest(await readFile(layout.request(id), "utf8"));
  if (!parsed.ok) throw new Error(`request ${id} does not parse: ${parsed.reason}`);
  return parsed.request;
}

function context(stdout: string): string {
  const parsed = JSON.parse(stdout);
  expect(parsed.hookSpecificOutput.hookEventName).toBe("UserPromptSubmit");
  return parsed.hookSpecificOutput.additionalContext as string;
}

describe("hook claude-code (UserPromptSubmit)", () => {
  it("turns a DELEGATE TO CODEX: line into a request in the repository and tells Claude its id and RESULT path", async () => {
    const { dir, sub, layout } = await repo();
    const prompt = "The nightly export job stopped writing files.\nDELEGATE TO CODEX: why does the export job exit 0 without output?\nThanks.";
    const run = await hook(["claude-code"], promptEvent(sub, prompt));
    expect(run.exitCode).toBe(0);
    const [id, ...more] = await requestIds(layout);
    expect(more).toEqual([]);
    expect(id).toMatch(/^\d{8}_\d{6}(_\d+)?$/);

    const request = await readRequest(layout, id!);
    expect(request).toMatchObject({ kind: "analysis", issue: "why does the export job exit 0 without output?", requestedBy: "claude-code hook" });
    expect(request.frontMatter).toMatchObject({ session_id: "5f0c-session-a", transcript: "/home/u/.claude/projects/x/5f0c-session-a.jsonl" });
    expect(request.context).toContain("The nightly export job stopped writing files.");

    const text = context(run.stdout);
    expect(text).toContain(`request ${id}`);
    expect(text).toContain(layout.result(id!, "md"));
    expect(text).toContain(`npx codex-relay wait ${id}`);
    expect(text).toContain("No codex-relay daemon is running");
    expect(run.stderr).toBe("");

    // the phrase record the daemon's transcript watcher checks before it acts on the same line
    const key = createHash("sha256").update("5f0c-session-a\nwhy does the export job exit 0 without output?").digest("hex");
    const record = JSON.parse(await readFile(path.join(dir, ".autonomous_runs/.relay/hook-requests", `${key}.json`), "utf8"));
    expect(record).toEqual({
      id,
      session_id: "5f0c-session-a",
      transcript: "/home/u/.claude/projects/x/5f0c-session-a.jsonl",
      issue: "why does the export job exit 0 without output?",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      by: "hook",
      said_at: record.created_at,
      utterance: null,
    });
  });

  it("redacts a key said in the prompt from the request, while the record stays keyed on the line as said", async () => {
    const { dir, sub, layout } = await repo();
    const key = "sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4";
    const issue = `the client gets 401 with ${key}`;
    const run = await hook(["claude-code"], promptEvent(sub, `My .env has OPENAI_API_KEY=${key}\nDELEGATE TO CODEX: ${issue}`));
    expect(run.exitCode).toBe(0);
    const [id] = await requestIds(layout);
    const text = await readFile(layout.request(id!), "utf8");
    expect(text).not.toContain(key);
    expect((await readRequest(layout, id!)).issue).toBe("the client gets 401 with [REDACTED]");
    expect(run.stdout).not.toContain(key);
    const name = `${createHash("sha256").update(`5f0c-session-a\n${issue}`).digest("hex")}.json`;
    const record = await readFile(path.join(dir, ".autonomous_runs/.relay/hook-requests", name), "utf8");
    expect(record).not.toContain(key);
    expect(JSON.parse(record).id).toBe(id);
  });

  it("prints nothing and creates nothing for a prompt without the phrase", async () => {
    const { dir, sub } = await repo();
    const run = await hook(["claude-code"], promptEvent(sub, "Refactor the export job, and delegate to codex if you get stuck."));
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe("");
    expect(existsSync(path.join(dir, ".autonomous_runs"))).toBe(false);
  });

  it("takes the phrase in any letter case at the start of a sentence", async () => {
    const { sub, layout } = await repo();
    const run = await hook(["claude-code"], promptEvent(sub, "The cart looks wrong. Delegate to Codex: the total ignores the discount\nSee tests/test_cart.py."));
    expect(run.exitCode).toBe(0);
    const ids = await requestIds(layout);
    expect(ids).toHaveLength(1);
    expect((await readRequest(layout, ids[0]!)).issue).toBe("the total ignores the discount");
    expect(run.stdout).toContain(ids[0]!);
  });

  it("answers the phrase with nothing after it with a one-line hint, and creates nothing", async () => {
    const { dir, sub } = await repo();
    const run = await hook(["claude-code"], promptEvent(sub, "It fails again.\nDELEGATE TO CODEX:"));
    expect(run.exitCode).toBe(0);
    const context = JSON.parse(run.stdout).hookSpecificOutput.additionalContext as string;
    expect(context).toMatch(/needs the issue on the same line.*no request was made/);
    expect(context.split("\n")).toHaveLength(1);
    expect(existsSync(path.join(dir, ".autonomous_runs"))).toBe(false);
  });

  it("outside git, in no codex-relay workspace: the phrase gets a one-line hint, any other prompt or the agent's phrase nothing, and nothing is created", async () => {
    const plain = await mkdtemp(path.join(os.tmpdir(), "codex-relay-plain-"));
    try {
      const said = await hook(["claude-code"], promptEvent(plain, "DELEGATE TO CODEX: why does the export job exit 0?"));
      expect(said.exitCode).toBe(0);
      expect(said.stderr).toBe("");
      const hint = context(said.stdout);
      expect(hint).toMatch(new RegExp(`^codex-relay: ${plain} is not in a git repository and not a codex-relay workspace, .*made no request and nothing was written; run \`git init\` or \`npx codex-relay init\``));
      expect(hint.split("\n")).toHaveLength(1);
      const other = await hook(["claude-code"], promptEvent(plain, "Refactor the export job."));
      expect([other.exitCode, other.stdout, other.stderr]).toEqual([0, "", ""]);
      const stop = await hook(["claude-code"], JSON.stringify({ ...JSON.parse(stopEvent(plain)), last_assistant_message: "DELEGATE TO CODEX: why does it exit 0?" }));
      expect([stop.exitCode, stop.stderr]).toEqual([0, ""]);
      expect(stop.stdout).not.toContain("codex-relay");
      expect(await readdir(plain)).toEqual([]);

      // Set up for the relay (no git): the phrase is a request there.
      await writeFile(path.join(plain, "codex-relay.toml"), "");
      const asked = await hook(["claude-code"], promptEvent(plain, "DELEGATE TO CODEX: why does the export job exit 0?"));
      expect(await requestIds(layoutFor(plain))).toHaveLength(1);
      expect(context(asked.stdout)).toContain("is now Codex delegation request");
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it("ignores the phrase in a fenced block, a quote or a sentence about it", async () => {
    const { dir, sub } = await repo();
    const prompt = [
      "Here is what the docs say:",
      "```",
      "DELEGATE TO CODEX: fenced issue",
      "```",
      "> DELEGATE TO CODEX: quoted issue",
      "",
      "You can say `DELEGATE TO CODEX: <issue>` to hand work over, e.g. DELEGATE TO CODEX: inline issue.",
    ].join("\n");
    const run = await hook(["claude-code"], promptEvent(sub, prompt));
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe("");
    expect(existsSync(path.join(dir, ".autonomous_runs"))).toBe(false);
  });

  it("makes one request per distinct issue, and the same issue again while it is pending makes none", async () => {
    const { sub, layout } = await repo();
    const first = await hook(["claude-code"], promptEvent(sub, "- DELEGATE TO CODEX: first issue\n- **DELEGATE TO CODEX: second issue**"));
    expect(first.exitCode).toBe(0);
    const ids = await requestIds(layout);
    expect(ids).toHaveLength(2);
    const issues = await Promise.all(ids.map(async (id) => (await readRequest(layout, id)).issue));
    expect(issues.sort()).toEqual(["first issue", "second issue"]);

    const again = await hook(["claude-code"], promptEvent(sub, "DELEGATE TO CODEX: first issue"));
    expect(again.exitCode).toBe(0);
    expect(await requestIds(layout)).toEqual(ids);
    expect(context(again.stdout)).toMatch(/already asked in this session and is still pending as request \d{8}_\d{6}/);

    // another session asking the same thing is another request
    const other = await hook(["claude-code"], promptEvent(sub, "DELEGATE TO CODEX: first issue", "session-b"));
    expect(other.exitCode).toBe(0);
    expect(await requestIds(layout)).toHaveLength(3);
  });

  it("the same issue asked again once its RESULT exists is a new request, under a second record; the first record stays", async () => {
    const { dir, sub, layout } = await repo();
    const prompt = "DELEGATE TO CODEX: the sitemap misses new pages";
    await hook(["claude-code"], promptEvent(sub, prompt));
    const [first] = await requestIds(layout);
    await writeFile(layout.result(first!, "json"), JSON.stringify({ id: first, status: "completed", summary: "the cron job is disabled" }));

    const again = await hook(["claude-code"], promptEvent(sub, prompt));
    expect(again.exitCode).toBe(0);
    const second = (await requestIds(layout)).find((id) => id !== first);
    expect(second).toBeDefined();
    expect(context(again.stdout)).toContain(`"DELEGATE TO CODEX: the sitemap misses new pages" is now Codex delegation request ${second}.`);
    const key = createHash("sha256").update("5f0c-session-a\nthe sitemap misses new pages").digest("hex");
    const records = path.join(dir, ".autonomous_runs/.relay/hook-requests");
    expect(JSON.parse(await readFile(path.join(records, `${key}.json`), "utf8"))).toMatchObject({ id: first, by: "hook" });
    expect(JSON.parse(await readFile(path.join(records, `${key}.2.json`), "utf8"))).toMatchObject({ id: second, by: "hook" });

    const third = await hook(["claude-code"], promptEvent(sub, prompt));
    expect(context(third.stdout)).toContain(`still pending as request ${second}`);
    expect(await requestIds(layout)).toHaveLength(2);
  });

  it("a prompt the daemon's transcript watcher claimed first makes no request here; the hook names the daemon's once it is out", async () => {
    const { sub, layout } = await repo();
    const issue = "the invoice PDF has no VAT line";
    // the watcher's side of the shared record contract: claimed, the request not yet published
    const claim = await claimPhrase(layout, { sessionId: "5f0c-session-a", issue }, { by: "transcript", transcript: "/x/5f0c-session-a.jsonl", issue, said_at: new Date().toISOString(), utterance: "line" }, new Date());
    expect(claim.kind).toBe("claimed");
    if (claim.kind !== "claimed") return;
    const running = hook(["claude-code"], promptEvent(sub, `DELEGATE TO CODEX: ${issue}`));
    await new Promise((resolve) => setTimeout(resolve, 400));
    const id = await publishRequest(layout, renderRequest({ kind: "analysis", issue, requestedBy: "claude-code transcript", createdAt: new Date() }), new Date(), createRedactor({ env: {}, envNames: [] }));
    await savePhraseRecord(layout, claim.file, { ...claim.record, id });
    const run = await running;
    expect(run.exitCode).toBe(0);
    expect(context(run.stdout)).toContain(`is now Codex delegation request ${id} (the codex-relay daemon took it from this session's transcript)`);
    expect(await requestIds(layout)).toEqual([id]);
  });

  it("exits 0 with nothing on stdout and nothing created for input that is not a prompt event", async () => {
    const { dir, sub } = await repo();
    const inputs = [
      "not json at all",
      "",
      "[1, 2]",
      JSON.stringify({ session_id: "s", cwd: sub, hook_event_name: "UserPromptSubmit" }), // no prompt
      JSON.stringify({ cwd: sub, hook_event_name: "UserPromptSubmit", prompt: "DELEGATE TO CODEX: no session" }),
      '{"session_id": "s", "cwd": "' + sub + '", "prompt": "DELEGATE TO CODEX: cut off',
    ];
    for (const input of inputs) {
      const run = await hook(["claude-code"], input);
      expect(run.exitCode, input).toBe(0);
      expect(run.stdout, input).toBe("");
      expect(run.stderr, input).toBe("");
    }
    expect(existsSync(path.join(dir, ".autonomous_runs"))).toBe(false);
  });

  it("never exits 2 (which would block the prompt): a cwd that does not exist, an unknown agent or event", async () => {
    const missing = path.join(os.tmpdir(), "codex-relay-no-such-dir", "x");
    const gone = await hook(["claude-code"], promptEvent(missing, "DELEGATE TO CODEX: nowhere"));
    expect(gone.exitCode).toBe(0);
    expect(gone.stdout).toBe("");
    expect(existsSync(path.join(os.tmpdir(), "codex-relay-no-such-dir"))).toBe(false);

    const { dir, sub, layout } = await repo();
    await mkdir(layout.relay, { recursive: true }); // a workspace the relay uses: the notes go to its hook log
    const agent = await hook(["windsurf"], promptEvent(sub, "DELEGATE TO CODEX: x"), {}, dir);
    expect(agent.exitCode).toBe(0);
    expect(agent.stderr).toBe("");
    const event = await hook(["claude-code", "--event", "PreToolUse"], promptEvent(sub, "DELEGATE TO CODEX: x"), {}, dir);
    expect(event.exitCode).toBe(0);
    expect(event.stderr).toBe("");
    const notes = (await readFile(layout.hookLogFile, "utf8")).trim().split("\n").map((line) => JSON.parse(line).message);
    expect(notes).toEqual([
      "unknown agent `windsurf`; expected claude-code or cursor (nothing done)",
      "--event must be prompt or stop, got `PreToolUse` (nothing done)",
    ]);
    expect(await requestIds(layout)).toEqual([]);
  });

  it("says nothing about stdin that is not JSON: exit 0, empty stdout and stderr, one line in the relay's hook log", async () => {
    const { dir, layout } = await repo();
    await mkdir(layout.relay, { recursive: true });
    const run = await hook(["claude-code"], "{ this is not json", {}, dir);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("");
    const lines = (await readFile(layout.hookLogFile, "utf8")).trim().split("\n").map((line) => JSON.parse(line));
    expect(lines).toEqual([
      {
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        level: "warn",
        event: "hook",
        agent: "claude-code",
        message: "stdin is not a claude-code hook input with a session id and a prompt; nothing to do",
      },
    ]);
    expect(await requestIds(layout)).toEqual([]);
  });
});

describe("announcing a finished RESULT", () => {
  it("the Stop hook makes Claude read a RESULT once it exists, exactly once; the next prompt does not repeat it", async () => {
    ws = await makeTestWorkspace();
    const sub = path.join(ws.dir, "lib");
    await mkdir(sub);
    const asked = await hook(["claude-code"], promptEvent(sub, "DELEGATE TO CODEX: the rate limiter rejects every request"));
    const [id] = await requestIds(ws.layout);
    expect(context(asked.stdout)).toContain(id);

    const early = await hook(["claude-code", "--event", "stop"], stopEvent(sub));
    expect(early.exitCode).toBe(0);
    expect(early.stdout).toBe(""); // no RESULT yet: Claude may stop

    // the request the hook wrote is one the real pipeline answers
    ws.server.enqueue(jsonMessage(analysisReply()));
    const processed = await ws.cli(["run", ws.layout.request(id!), "--json"]);
    expect(processed.exitCode).toBe(0);
    expect(ws.server.requests[0]!.text).toContain("the rate limiter rejects every request");

    const stop = await hook(["claude-code", "--event", "stop"], stopEvent(sub));
    expect(stop.exitCode).toBe(0);
    const decision = JSON.parse(stop.stdout);
    expect(decision.decision).toBe("block");
    expect(decision.reason).toContain(ws.layout.result(id!, "md"));
    expect(decision.reason).toContain("status completed");
    expect(decision.reason).toContain("The rate limiter decorator wraps the route before the request parameter exists.");

    const again = await hook(["claude-code", "--event", "stop"], stopEvent(sub));
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe("");
    const nextPrompt = await hook(["claude-code"], promptEvent(sub, "thanks, go on"));
    expect(nextPrompt.stdout).toBe("");
  });

  it("a prompt carries the news when the RESULT arrived while Claude was idle, to that session only", async () => {
    ws = await makeTestWorkspace();
    await hook(["claude-code"], promptEvent(ws.dir, "DELEGATE TO CODEX: flaky checkout test"));
    const [id] = await requestIds(ws.layout);
    ws.server.enqueue(jsonMessage(analysisReply({ root_cause: "The checkout test shares a cart between workers." })));
    expect((await ws.cli(["run", ws.layout.request(id!)])).exitCode).toBe(0);

    const otherSession = await hook(["claude-code"], promptEvent(ws.dir, "unrelated question", "session-b"));
    expect(otherSession.stdout).toBe("");

    const prompt = await hook(["claude-code"], promptEvent(ws.dir, "any news?"));
    const text = context(prompt.stdout);
    expect(text).toContain(`Codex answered delegation request ${id}`);
    expect(text).toContain("The checkout test shares a cart between workers.");
    expect(text).toContain(ws.layout.result(id!, "md"));
    const stop = await hook(["claude-code", "--event", "stop"], stopEvent(ws.dir));
    expect(stop.stdout).toBe("");
  });
});

describe("what a hook reads on every prompt", () => {
  it("only the session's requests still awaiting announcement: an announced one leaves the list, a pending one stays", async () => {
    const { dir, sub, layout } = await repo();
    await hook(["claude-code"], promptEvent(sub, "DELEGATE TO CODEX: the cache never expires\nDELEGATE TO CODEX: the logo is blurry"));
    const [first, second] = await requestIds(layout);
    const awaiting = path.join(dir, ".autonomous_runs/.relay/hook-awaiting/5f0c-session-a");
    expect((await readdir(awaiting)).sort()).toEqual([`${first}.json`, `${second}.json`]);

    await writeFile(layout.result(first!, "json"), JSON.stringify({ id: first, status: "completed", summary: "the TTL is read in seconds" }));
    const told = await hook(["claude-code"], promptEvent(sub, "anything new?"));
    expect(context(told.stdout)).toContain("the TTL is read in seconds");
    expect(context(told.stdout)).not.toContain(second!);
    expect(await readdir(awaiting)).toEqual([`${second}.json`]);

    // a session id that is no safe file name gets a hashed directory of its own
    const odd = "../team/session 7";
    await hook(["claude-code"], promptEvent(sub, "DELEGATE TO CODEX: the export hangs", odd));
    const key = `sha256-${createHash("sha256").update(odd).digest("hex")}`;
    expect((await readdir(path.join(dir, ".autonomous_runs/.relay/hook-awaiting"))).sort()).toEqual(["5f0c-session-a", key]);
    expect(existsSync(path.join(dir, ".autonomous_runs/team"))).toBe(false);
  });
});

describe("hook cursor", () => {
  const cursorEvent = (root: string, extra: Record<string, unknown>) =>
    JSON.stringify({ conversation_id: "conv-7", generation_id: "gen-1", workspace_roots: [root], ...extra });

  it("beforeSubmitPrompt always answers continue and creates the request; stop hands the RESULT over once as a follow-up", async () => {
    const { sub, layout } = await repo();
    const plain = await hook(["cursor"], cursorEvent(sub, { hook_event_name: "beforeSubmitPrompt", prompt: "hello" }));
    expect(plain.exitCode).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual({ continue: true });
    const garbage = await hook(["cursor"], "{oops");
    expect(JSON.parse(garbage.stdout)).toEqual({ continue: true });

    const asked = await hook(["cursor"], cursorEvent(sub, { hook_event_name: "beforeSubmitPrompt", prompt: "DELEGATE TO CODEX: slow search page" }));
    expect(JSON.parse(asked.stdout)).toEqual({ continue: true });
    const [id] = await requestIds(layout);
    const request = await readRequest(layout, id!);
    expect(request).toMatchObject({ issue: "slow search page", requestedBy: "cursor hook", frontMatter: { session_id: "conv-7" } });
    expect(request.frontMatter).not.toHaveProperty("transcript");

    const early = await hook(["cursor", "--event", "stop"], cursorEvent(sub, { hook_event_name: "stop", status: "completed", loop_count: 0 }));
    expect(JSON.parse(early.stdout)).toEqual({});
    // a RESULT as the daemon leaves it: the .json is written last
    await writeFile(layout.result(id!, "md"), "# Codex Delegation Result\n");
    await writeFile(layout.result(id!, "json"), JSON.stringify({ id, status: "failed", summary: "failed: codex not logged in" }));
    const stop = await hook(["cursor"], cursorEvent(sub, { hook_event_name: "stop", status: "completed", loop_count: 0 }));
    const followup = JSON.parse(stop.stdout).followup_message as string;
    expect(followup).toContain(`request ${id}`);
    expect(followup).toContain("status failed: failed: codex not logged in");
    expect(followup).toContain(layout.result(id!, "md"));
    const again = await hook(["cursor", "--event", "stop"], cursorEvent(sub, { hook_event_name: "stop", status: "completed", loop_count: 1 }));
    expect(JSON.parse(again.stdout)).toEqual({});
  });
  it("one Cursor prompt that runs both the Cursor hook and the Claude Code hook (third-party option) makes one request and one follow-up", async () => {
    const { sub, layout } = await repo();
    const prompt = cursorEvent(sub, { hook_event_name: "beforeSubmitPrompt", prompt: "DELEGATE TO CODEX: cart total ignores discounts", cursor_version: "2.4.21" });
    const [viaCursor, viaClaude] = await Promise.all([hook(["cursor"], prompt), hook(["claude-code"], prompt)]);
    // both answer as Cursor expects: its beforeSubmitPrompt takes no context
    expect(JSON.parse(viaCursor.stdout)).toEqual({ continue: true });
    expect(JSON.parse(viaClaude.stdout)).toEqual({ continue: true });
    const ids = await requestIds(layout);
    expect(ids).toHaveLength(1);
    expect((await readRequest(layout, ids[0]!)).frontMatter).toMatchObject({ session_id: "conv-7" });

    await writeFile(layout.result(ids[0]!, "md"), "# Codex Delegation Result\n");
    await writeFile(layout.result(ids[0]!, "json"), JSON.stringify({ id: ids[0], status: "completed", summary: "the discount is applied after tax" }));
    const stop = cursorEvent(sub, { hook_event_name: "stop", status: "completed", loop_count: 0 });
    const stops = await Promise.all([hook(["cursor"], stop), hook(["claude-code"], stop)]);
    const followups = stops.map((run) => JSON.parse(run.stdout) as { followup_message?: string });
    expect(followups.filter((out) => out.followup_message !== undefined)).toHaveLength(1);
    expect(followups.find((out) => out.followup_message)?.followup_message).toContain(`request ${ids[0]}`);
    expect(followups.filter((out) => out.followup_message === undefined)).toEqual([{}]);
  });
});
