// One prompt, two ways in: Claude Code runs its UserPromptSubmit hook (`codex-relay hook
// claude-code`, the built CLI fed the hook's JSON) and writes the same prompt to the session
// transcript the daemon's TranscriptWatcher tails, in either order. Whichever gets there first, the
// prompt makes exactly one request, and the hook tells the agent its id. Real git workspace, real
// JSONL transcript in a fake home, `.claude/settings.json` written by `init`'s own installer.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { delegateFromPrompt } from "../../src/cli/hooks/delegate-from-prompt.js";
import { installClaudeCodeHooks } from "../../src/cli/hooks/install-hooks.js";
import { layoutFor, REQUEST_FILE } from "../../src/protocol/layout.js";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { CLI, until } from "../helpers/relay-workspace.js";
import { watcherFixture, type WatcherSetup } from "../helpers/transcript-watcher-fixture.js";

const SESSION = "7c1e9b42-5a3d-4f60-8e2b-1d0c9f8a7b65";

type Setup = WatcherSetup;
const fixture = watcherFixture(SESSION);

/**
 * A git workspace watching a Claude Code project folder (hook installed unless `hooks: false`; as
 * the enabled codex-relay plugin with `hooks: "plugin"`, or the user's in CLAUDE_CONFIG_DIR with `"user plugin"`), a session with history, a started watcher.
 */
function setup(options: { hooks?: boolean | "plugin" | "user plugin" } = {}): Promise<Setup> {
  const enabled = JSON.stringify({ enabledPlugins: { "codex-relay@codex-relay": true } });
  return fixture.setup({
    // The user's plugin, where Claude Code keeps the user's settings when CLAUDE_CONFIG_DIR is set.
    ...(options.hooks === "user plugin" ? { claudeConfigDir: "claude-config" } : {}),
    before: async ({ ws, session, claudeConfigDir }) => {
      if (options.hooks === "plugin") {
        await mkdir(path.join(ws, ".claude"), { recursive: true });
        await writeFile(path.join(ws, ".claude", "settings.json"), enabled);
      } else if (options.hooks === "user plugin") {
        await mkdir(claudeConfigDir!, { recursive: true });
        await writeFile(path.join(claudeConfigDir!, "settings.json"), enabled);
      } else if (options.hooks ?? true) await installClaudeCodeHooks(ws);
      await writeFile(session, userLine("hello"));
    },
  });
}

let seq = 0;
/** A prompt line as Claude Code writes it, said at `at` (now unless told). */
function userLine(content: string, at = new Date()): string {
  seq += 1;
  return `${JSON.stringify({ parentUuid: null, isSidechain: false, userType: "external", cwd: "/home/dev/shop", sessionId: SESSION, version: "2.1.144", type: "user", message: { role: "user", content }, uuid: `c0ffee00-0000-4000-8000-${String(seq).padStart(12, "0")}`, timestamp: at.toISOString() })}\n`;
}

/** The hook as Claude Code runs it, with the UserPromptSubmit JSON on stdin. */
function hook(s: Setup, prompt: string) {
  const input = JSON.stringify({ session_id: SESSION, transcript_path: s.session, cwd: s.ws, permission_mode: "default", hook_event_name: "UserPromptSubmit", prompt });
  return execa(process.execPath, [CLI, "hook", "claude-code"], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: s.home },
    extendEnv: false,
    reject: false,
    input,
    timeout: 30_000,
  });
}

function additionalContext(stdout: string): string {
  return JSON.parse(stdout).hookSpecificOutput.additionalContext as string;
}

async function requestIds(s: Setup): Promise<string[]> {
  const names = await readdir(layoutFor(s.ws).inbox).catch(() => [] as string[]);
  return names.flatMap((name) => REQUEST_FILE.exec(name)?.[1] ?? []).sort();
}

async function requestedBy(s: Setup, id: string): Promise<string | undefined> {
  const parsed = parseRequest(await readFile(layoutFor(s.ws).request(id), "utf8"));
  return parsed.ok ? parsed.request.requestedBy : undefined;
}

/** Wait until the watcher has handled every phrase in the session as it is now. */
async function readToEnd(s: Setup): Promise<void> {
  const { size } = await stat(s.session);
  await until(() => s.reads.some((r) => r.transcript === s.session && r.to >= size), "the watcher to read the session to its end", 15_000);
}

function recordFile(s: Setup, issue: string, generation = 1): string {
  const key = createHash("sha256").update(`${SESSION}\n${issue}`).digest("hex");
  return path.join(s.ws, ".autonomous_runs/.relay/hook-requests", generation === 1 ? `${key}.json` : `${key}.${generation}.json`);
}

/** Answer a request the way the daemon's commit point does: the RESULT .json appears. */
async function answer(s: Setup, id: string): Promise<void> {
  await writeFile(layoutFor(s.ws).result(id, "json"), JSON.stringify({ id, status: "completed", summary: "answered" }));
}

describe("the hook and the transcript watcher see the same prompt", () => {
  test("transcript line first, hook right after: one request, and the hook tells the agent its id", async () => {
    const s = await setup();
    const issue = "the cart badge shows a stale count after checkout";
    const prompt = `The badge is wrong again.\nDELEGATE TO CODEX: ${issue}`;
    await appendFile(s.session, userLine(prompt));
    const run = await hook(s, prompt);
    expect(run.exitCode).toBe(0);
    await readToEnd(s);
    const ids = await requestIds(s);
    expect(ids).toHaveLength(1);
    expect(additionalContext(run.stdout)).toContain(`Codex delegation request ${ids[0]}`);
    expect(s.requests.length + s.skips.length).toBe(1); // the watcher made it, or skipped it as the hook's
    expect(s.errors).toEqual([]);
  });

  test("the watcher publishes first (no hook ran in time): the hook that runs later makes none and names the daemon's request", async () => {
    const s = await setup();
    const issue = "refund emails go out twice";
    const prompt = `DELEGATE TO CODEX: ${issue}`;
    await appendFile(s.session, userLine(prompt));
    await until(() => s.requests.length === 1, "the watcher's request", 15_000);
    const [id] = await requestIds(s);
    expect(await requestedBy(s, id!)).toBe("claude-code transcript");
    expect(JSON.parse(await readFile(recordFile(s, issue), "utf8"))).toMatchObject({ id, by: "transcript", session_id: SESSION, transcript: s.session });

    const run = await hook(s, prompt);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe("");
    expect(additionalContext(run.stdout)).toContain(`"DELEGATE TO CODEX: ${issue}" is now Codex delegation request ${id} (the codex-relay daemon took it from this session's transcript)`);
    expect(await requestIds(s)).toEqual([id]);

    // the daemon's request is this session's: its answer is announced at the end of the turn
    await answer(s, id!);
    const stopInput = JSON.stringify({ session_id: SESSION, transcript_path: s.session, cwd: s.ws, hook_event_name: "Stop", stop_hook_active: false });
    const stop = await execa(process.execPath, [CLI, "hook", "claude-code", "--event", "stop"], { env: { PATH: process.env.PATH ?? "", HOME: s.home }, extendEnv: false, reject: false, input: stopInput });
    expect(JSON.parse(stop.stdout)).toMatchObject({ decision: "block", reason: expect.stringContaining(`Codex answered delegation request ${id} ("${issue}"), status completed: answered`) });
  });

  test("the hook first, the transcript line after: the watcher skips it as the hook's", async () => {
    const s = await setup();
    const issue = "search ignores the category filter";
    const prompt = `DELEGATE TO CODEX: ${issue}`;
    const run = await hook(s, prompt);
    const [id] = await requestIds(s);
    expect(additionalContext(run.stdout)).toContain(`"DELEGATE TO CODEX: ${issue}" is now Codex delegation request ${id}.`);
    await appendFile(s.session, userLine(prompt));
    await readToEnd(s);
    expect(s.skips).toEqual([expect.objectContaining({ reason: "hook", issue })]);
    expect(await requestIds(s)).toEqual([id]);
    expect(await requestedBy(s, id!)).toBe("claude-code hook");
  });

  test.each([["settings", true], ["plugin", "plugin"], ["user plugin in CLAUDE_CONFIG_DIR", "user plugin"]] as const)("a prompt the watcher reads before the hook has claimed it waits for the hook (%s): the request is the hook's", async (_, hooks) => {
    const s = await setup({ hooks });
    const issue = "coupon codes are case sensitive";
    const prompt = `Customers complain.\nDELEGATE TO CODEX: ${issue}`;
    await appendFile(s.session, userLine(prompt));
    // The hook's own code, in this process, 200 ms after the line was written: well inside the
    // watcher's grace, after it has seen the line without a record.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [made] = await delegateFromPrompt(layoutFor(s.ws), { agent: "claude-code", sessionId: SESSION, transcriptPath: s.session, prompt, issues: [issue] }, new Date(), {});
    await readToEnd(s);
    expect(made).toMatchObject({ issue, made: "new" });
    expect(await requestIds(s)).toEqual([made!.id]);
    expect(await requestedBy(s, made!.id)).toBe("claude-code hook");
    expect(s.skips).toEqual([expect.objectContaining({ reason: "hook", issue })]);
  });

  test("asked again after the answer arrived: a second request, made once, and reading the session again repeats neither", async () => {
    const s = await setup();
    const issue = "the nightly export is empty";
    const prompt = `DELEGATE TO CODEX: ${issue}`;
    const first = await hook(s, prompt);
    const [id1] = await requestIds(s);
    await appendFile(s.session, userLine(prompt));
    await readToEnd(s);
    await answer(s, id1!);

    const again = await hook(s, prompt);
    const id2 = (await requestIds(s)).find((id) => id !== id1);
    expect(id2).toBeDefined();
    expect(additionalContext(again.stdout)).toContain(`is now Codex delegation request ${id2}.`);
    expect(additionalContext(first.stdout)).toContain(id1);
    await appendFile(s.session, userLine(prompt));
    await readToEnd(s);
    expect(existsSync(recordFile(s, issue, 2))).toBe(true);
    expect(await requestIds(s)).toHaveLength(2);
    expect(s.requests).toEqual([]);
    expect(s.skips.map((skip) => skip.reason)).toEqual(["hook", "hook"]);
  });
});

describe("without the hook installed", () => {
  test("the watcher does not wait, and keeps the hook's rule: the same issue again is a new request only once the first is answered", async () => {
    const s = await setup({ hooks: false });
    const issue = "stock sync double-counts returns";
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
    await appendFile(s.session, userLine(`DELEGATE TO CODEX: ${issue}`, minutesAgo(5)));
    await until(() => s.requests.length === 1, "the first request", 15_000);
    await appendFile(s.session, userLine(`DELEGATE TO CODEX: ${issue}`, minutesAgo(4))); // still pending
    await readToEnd(s);
    expect(await requestIds(s)).toHaveLength(1);
    expect(s.skips).toEqual([expect.objectContaining({ reason: "hook", issue })]);

    await answer(s, s.requests[0]!.id);
    await appendFile(s.session, userLine(`Still happening.\nDELEGATE TO CODEX: ${issue}`));
    await until(() => s.requests.length === 2, "the second request", 15_000);
    expect(await requestIds(s)).toHaveLength(2);
    expect(JSON.parse(await readFile(recordFile(s, issue, 2), "utf8"))).toMatchObject({ id: s.requests[1]!.id, by: "transcript" });
    expect(s.errors).toEqual([]);
  });
});

describe("the agent's own phrase, seen by the watcher and by the Stop hook", () => {
  /** An assistant text line as Claude Code writes it. */
  function assistantLine(text: string, at = new Date()): string {
    seq += 1;
    const message = { role: "assistant", content: [{ type: "text", text }] };
    return `${JSON.stringify({ parentUuid: null, isSidechain: false, cwd: "/home/dev/shop", sessionId: SESSION, version: "2.1.332", type: "assistant", message, uuid: `a11ce000-0000-4000-8000-${String(seq).padStart(12, "0")}`, timestamp: at.toISOString() })}\n`;
  }

  function stop(s: Setup, last: string, promptId: string) {
    const input = { session_id: SESSION, transcript_path: s.session, cwd: s.ws, prompt_id: promptId, hook_event_name: "Stop", stop_hook_active: false, last_assistant_message: last };
    return execa(process.execPath, [CLI, "hook", "claude-code", "--event", "stop"], {
      env: { PATH: process.env.PATH ?? "", HOME: s.home, AI_AGENT: "claude-code_2-1-332_harness" },
      extendEnv: false,
      reject: false,
      input: JSON.stringify(input),
    });
  }

  test("the watcher takes the line first: one request, the Stop hook tells the agent its id and later announces its RESULT", async () => {
    const s = await setup({ hooks: false });
    const issue = "why does the coupon apply twice";
    const said = `I could not find it.\nDELEGATE TO CODEX: ${issue}`;
    await appendFile(s.session, assistantLine(said));
    await readToEnd(s);
    const [id, ...more] = await requestIds(s);
    expect(more).toEqual([]);
    expect(await requestedBy(s, id!)).toBe("claude-code transcript");

    const told = await stop(s, said, "p-1");
    expect(additionalContext(told.stdout)).toContain(`Codex delegation request ${id}`);
    expect(await requestIds(s)).toEqual([id]);

    await answer(s, id!);
    const announced = await stop(s, "Waiting for Codex.", "p-2");
    expect(additionalContext(announced.stdout)).toContain(`Codex answered delegation request ${id} ("${issue}")`);
  });
});
