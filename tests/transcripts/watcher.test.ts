// The transcript watcher against real files in temp dirs: a real git workspace, a fake home with
// ~/.claude/projects/<project>/<session>.jsonl and ~/.codex/sessions, appends as editors make them,
// and the requests it drops into the real inbox. No daemon here (tests/daemon/transcripts.test.ts
// runs one); every wait is bounded.
import { createHash } from "node:crypto";
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { git } from "../helpers/gitdir.js";
import { until } from "../helpers/relay-workspace.js";
import { watcherFixture, type WatcherSetup } from "../helpers/transcript-watcher-fixture.js";

const SESSION = "5f0c2a9e-8d41-4c6b-9a7e-3b2d1e0f4a11";

type Setup = WatcherSetup;
const { setup, tempDir } = watcherFixture(SESSION);

const inbox = (s: Setup) => path.join(s.ws, ".autonomous_runs/codex_delegations");

async function requestFiles(s: Setup): Promise<string[]> {
  return (await readdir(inbox(s)).catch(() => [] as string[])).filter((n) => n.startsWith("CODEX_DELEGATION_REQUEST_")).sort();
}

async function requestTexts(s: Setup): Promise<string[]> {
  return Promise.all((await requestFiles(s)).map((n) => readFile(path.join(inbox(s), n), "utf8")));
}

/** Wait until the watcher has read `file` up to its current size (its complete lines). */
async function readToEnd(s: Setup, file: string): Promise<void> {
  const { size } = await stat(file);
  await until(() => s.reads.some((r) => r.transcript === file && r.to >= size), `the watcher to read ${path.basename(file)} to ${size}`, 10_000);
  await s.watcher.idle();
}

async function offsetsOf(s: Setup): Promise<Record<string, { offset: number; size: number }>> {
  const state = JSON.parse(await readFile(path.join(s.ws, ".autonomous_runs/.relay/transcripts/offsets.json"), "utf8"));
  return state.transcripts;
}

let uuidSeq = 0;
const uuid = () => `a1b2c3d4-0001-4a00-8000-${String((uuidSeq += 1)).padStart(12, "0")}`;

function userLine(content: unknown, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ parentUuid: null, isSidechain: false, userType: "external", cwd: "/home/dev/shop", sessionId: SESSION, version: "2.1.144", type: "user", message: { role: "user", content }, uuid: uuid(), timestamp: "2026-11-20T09:15:40.002Z", ...extra })}\n`;
}

function assistantLine(content: unknown[]): string {
  return `${JSON.stringify({ parentUuid: null, isSidechain: false, cwd: "/home/dev/shop", sessionId: SESSION, version: "2.1.144", type: "assistant", message: { model: "claude-opus-4-6", id: "msg_01", type: "message", role: "assistant", content }, uuid: uuid(), timestamp: "2026-11-20T09:15:44.870Z" })}\n`;
}

const said = (text: string) => assistantLine([{ type: "text", text }]);
const bashCall = (id: string, command: string) => assistantLine([{ type: "tool_use", id, name: "Bash", input: { command } }]);
const toolResult = (id: string, content: string, isError: boolean) =>
  userLine([{ tool_use_id: id, type: "tool_result", content, is_error: isError }], { toolUseResult: isError ? `Error: ${content}` : { stdout: content, stderr: "" } });

/** A session that exists (with history) before the watcher starts: only new content counts. */
const withSession = (history = userLine("hello")) => async ({ session }: { session: string }) => writeFile(session, history);

describe("phrases said in a Claude Code session", () => {
  test("the user saying it makes exactly one request with the issue, who asked and where", async () => {
    const s = await setup({ before: withSession() });
    const before = (await stat(s.session)).size;
    await appendFile(s.session, userLine("Checkout fails again.\nDELEGATE TO CODEX: checkout returns 500 with a gift card"));
    await until(async () => (await requestFiles(s)).length === 1, "one request");
    await readToEnd(s, s.session);
    const [text] = await requestTexts(s);
    const parsed = parseRequest(text!);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.request.issue).toBe("checkout returns 500 with a gift card");
    expect(parsed.request.requestedBy).toBe("claude-code transcript");
    expect(parsed.request.frontMatter.transcript).toBe(s.session);
    expect(parsed.request.frontMatter.transcript_offset).toBe(String(before));
    expect(parsed.request.context).toContain("Checkout fails again.");
    expect(parsed.request.context).toContain("Said by the user");
    expect(s.requests).toEqual([expect.objectContaining({ role: "user", offset: before, format: "claude-code", issue: "checkout returns 500 with a gift card" })]);
    expect(await requestFiles(s)).toHaveLength(1);
    expect(s.errors).toEqual([]);
  });

  test("the agent saying it in its reply makes a request", async () => {
    const s = await setup({ before: withSession() });
    await appendFile(s.session, said("I could not find the cause.\n\n**DELEGATE TO CODEX:** lease renewer test hangs intermittently"));
    await until(async () => (await requestFiles(s)).length === 1, "one request");
    const parsed = parseRequest((await requestTexts(s))[0]!);
    expect(parsed.ok && parsed.request.issue).toBe("lease renewer test hangs intermittently");
    expect(parsed.ok && parsed.request.context).toContain("Said by the agent");
  });

  test("the phrase in a tool result, a code block, a quote or a file the agent read makes no request", async () => {
    const s = await setup({ before: withSession() });
    await appendFile(
      s.session,
      [
        bashCall("toolu_1", "grep -rn DELEGATE notes/"),
        toolResult("toolu_1", "notes/a.md:3:DELEGATE TO CODEX: queue worker retries forever", false),
        userLine([{ tool_use_id: "toolu_2", type: "tool_result", content: "     1\u2192DELEGATE TO CODEX: a line of a file the agent read\n" }], { toolUseResult: { type: "text", file: { filePath: "/x" } } }),
        said("The file says:\n\n```\nDELEGATE TO CODEX: inside a code block\n```\n\n> DELEGATE TO CODEX: quoted from the notes\n\nSay `DELEGATE TO CODEX: <issue>` to delegate."),
        userLine("What does `DELEGATE TO CODEX: x` do?"),
      ].join(""),
    );
    await readToEnd(s, s.session);
    expect(await requestFiles(s)).toEqual([]);
    expect(s.requests).toEqual([]);
  });

  test("the same phrase twice in one message is one request; the agent repeating an ask still pending makes none", async () => {
    const s = await setup({ before: withSession() });
    await appendFile(s.session, userLine("DELEGATE TO CODEX: cart total drifts\nreally:\nDELEGATE TO CODEX: cart total drifts"));
    await appendFile(s.session, userLine("DELEGATE TO CODEX: invoice rounding"));
    await appendFile(s.session, said("Noted.\n\nDELEGATE TO CODEX: invoice rounding"));
    await readToEnd(s, s.session);
    await until(async () => (await requestFiles(s)).length >= 2, "two requests");
    await readToEnd(s, s.session);
    const issues = (await requestTexts(s)).map((t) => {
      const parsed = parseRequest(t);
      return parsed.ok ? parsed.request.issue : "";
    });
    expect(issues.sort()).toEqual(["cart total drifts", "invoice rounding"]);
    expect(s.skips).toEqual([expect.objectContaining({ issue: "invoice rounding", reason: "hook" })]);
  });

  test("an append right after another still counts, with polling off (chokidar drops a change 50 ms after the last)", async () => {
    const s = await setup({ pollMs: 0, before: withSession() });
    for (let i = 0; i < 3; i += 1) {
      await appendFile(s.session, userLine(`nothing to delegate ${i}`));
      const { size } = await stat(s.session);
      await until(() => s.reads.some((r) => r.transcript === s.session && r.to >= size), "the plain line to be read", 10_000);
      await appendFile(s.session, userLine(`DELEGATE TO CODEX: right after ${i}`)); // within chokidar's 50 ms
    }
    await until(async () => (await requestFiles(s)).length === 3, "three requests");
    await readToEnd(s, s.session);
    expect(s.requests.map((r) => r.issue).sort()).toEqual(["right after 0", "right after 1", "right after 2"]);
  });

  test("a half-written last line completed by the next append makes one request with the whole issue", async () => {
    const s = await setup({ before: withSession() });
    const line = userLine("DELEGATE TO CODEX: refunds post twice when the webhook retries");
    const cut = line.indexOf("twice");
    await appendFile(s.session, line.slice(0, cut));
    await until(() => s.reads.some((r) => r.transcript === s.session && r.bytes > 0), "the first half to be read");
    await s.watcher.idle();
    expect(await requestFiles(s)).toEqual([]);
    await appendFile(s.session, line.slice(cut));
    await until(async () => (await requestFiles(s)).length === 1, "one request");
    await readToEnd(s, s.session);
    const parsed = parseRequest((await requestTexts(s))[0]!);
    expect(parsed.ok && parsed.request.issue).toBe("refunds post twice when the webhook retries");
    expect(await requestFiles(s)).toHaveLength(1);
  });
});

describe("offsets across restarts, truncation and rotation", () => {
  test("first start reads existing sessions from their end; --from-start reads them whole", async () => {
    const history = userLine("DELEGATE TO CODEX: said before the daemon ever ran");
    const s = await setup({ before: withSession(history) });
    await s.watcher.idle();
    expect(await requestFiles(s)).toEqual([]);
    expect((await offsetsOf(s))[s.session]?.offset).toBe(Buffer.byteLength(history));

    const t = await setup({ before: withSession(history), fromStart: true });
    await until(async () => (await requestFiles(t)).length === 1, "the old phrase read with fromStart");
  });

  test("a project with 300 sessions: the first start requests nothing old, an append to any one makes one request", async () => {
    const names = Array.from({ length: 300 }, (_, i) => `0b7d3c1e-${String(i).padStart(4, "0")}-4c6b-9a7e-3b2d1e0f4a22.jsonl`);
    const s = await setup({
      before: async ({ home }) => {
        const project = path.join(home, ".claude/projects/-home-dev-shop");
        for (const name of names) await writeFile(path.join(project, name), userLine(`DELEGATE TO CODEX: old ask in ${name}`));
      },
    });
    expect(Object.keys(await offsetsOf(s))).toHaveLength(300);
    const one = path.join(s.project, names[150]!);
    await appendFile(one, userLine("DELEGATE TO CODEX: the new ask"));
    await until(() => s.requests.length === 1, "one request");
    await readToEnd(s, one);
    expect(s.requests).toEqual([expect.objectContaining({ transcript: one, issue: "the new ask" })]);
    expect(await requestFiles(s)).toHaveLength(1);
    expect(s.errors).toEqual([]);
  });

  test("a session that appears after the watcher started is read from its start", async () => {
    const s = await setup();
    const other = path.join(s.project, "0b7d3c1e-1111-4c6b-9a7e-3b2d1e0f4a22.jsonl");
    await writeFile(other, userLine("DELEGATE TO CODEX: first line of a brand-new session"));
    await until(() => s.requests.length === 1, "a request from the new session");
    expect(await requestFiles(s)).toHaveLength(1);
    expect(s.requests[0]).toMatchObject({ transcript: other, offset: 0 });
  });

  test("a restart between two appends neither misses nor repeats", async () => {
    const s = await setup({ before: withSession() });
    await appendFile(s.session, userLine("DELEGATE TO CODEX: before the restart"));
    await until(async () => (await requestFiles(s)).length === 1, "the first request");
    await s.watcher.close();
    await appendFile(s.session, userLine("DELEGATE TO CODEX: while the daemon was down"));
    await s.restart();
    await until(async () => (await requestFiles(s)).length === 2, "the second request");
    await appendFile(s.session, userLine("DELEGATE TO CODEX: after the restart"));
    await until(async () => (await requestFiles(s)).length === 3, "the third request");
    await readToEnd(s, s.session);
    const issues = (await requestTexts(s)).map((t) => (parseRequest(t) as { ok: true; request: { issue: string } }).request.issue).sort();
    expect(issues).toEqual(["after the restart", "before the restart", "while the daemon was down"]);
    // a new session created while it was down is new: read from its start
    await s.watcher.close();
    const other = path.join(s.project, "0b7d3c1e-2222-4c6b-9a7e-3b2d1e0f4a22.jsonl");
    await writeFile(other, userLine("DELEGATE TO CODEX: in a session started while the daemon was down"));
    await s.restart();
    await until(async () => (await requestFiles(s)).length === 4, "the request from the new session");
  });

  test("truncation reads the file again from its start, without repeating what was already requested", async () => {
    const s = await setup({ before: withSession() });
    const first = userLine("DELEGATE TO CODEX: before the truncation");
    await appendFile(s.session, first);
    await until(async () => (await requestFiles(s)).length === 1, "the first request");
    await readToEnd(s, s.session);
    // truncated, then the same first line written again and a new one: only the new one is new
    await truncate(s.session, 0);
    await appendFile(s.session, userLine("hello") + first.replace("before the truncation", "after the truncation"));
    await until(async () => (await requestFiles(s)).length === 2, "the request after the truncation");
    expect(s.reads.some((r) => r.transcript === s.session && (r.reason === "truncated" || r.reason === "rewritten"))).toBe(true);
    // the file rewritten with exactly what was read: every phrase in it was requested already
    const whole = await readFile(s.session);
    await truncate(s.session, 0);
    await s.watcher.poll(); // sees it empty
    await s.watcher.idle();
    await writeFile(s.session, whole);
    await s.watcher.poll();
    await readToEnd(s, s.session);
    expect(await requestFiles(s)).toHaveLength(2);
    expect(s.skips.map((k) => k.reason)).toContain("seen");
  });

  test("lost state: --from-start after the watcher's state is deleted requests nothing already requested", async () => {
    const s = await setup({ before: withSession() });
    await appendFile(s.session, said("Looks like a race.\nDELEGATE TO CODEX: the lease renewer test hangs"));
    await appendFile(s.session, userLine("DELEGATE TO CODEX: the export job exits 0 without output"));
    await until(async () => (await requestFiles(s)).length === 2, "two requests");
    await readToEnd(s, s.session);
    for (const text of await requestTexts(s)) expect(text).toMatch(/^utterance_keys: "?[0-9a-f]{32}( [0-9a-f]{32})*"?$/m);
    await s.watcher.close();
    await rm(path.join(s.ws, ".autonomous_runs/.relay/transcripts"), { recursive: true, force: true });
    await appendFile(s.session, said("DELEGATE TO CODEX: a new ask after the state was lost"));
    await s.restart({ fromStart: true });
    await until(async () => (await requestFiles(s)).length === 3, "the new ask");
    await readToEnd(s, s.session);
    expect(await requestFiles(s)).toHaveLength(3);
    expect(s.skips.filter((k) => k.reason === "seen" || k.reason === "hook")).toHaveLength(2);
  });

  test("rotation: the new file is read from its start, the renamed old one continues where it was", async () => {
    const s = await setup({ before: withSession() });
    await appendFile(s.session, userLine("DELEGATE TO CODEX: in the old file"));
    await until(async () => (await requestFiles(s)).length === 1, "the first request");
    await readToEnd(s, s.session);
    const moved = path.join(s.project, "rotated-old.jsonl");
    await rename(s.session, moved);
    await writeFile(s.session, userLine("DELEGATE TO CODEX: first line of the new file"));
    await appendFile(moved, userLine("DELEGATE TO CODEX: appended to the old file after it moved"));
    await until(async () => (await requestFiles(s)).length === 3, "requests from both files");
    await readToEnd(s, s.session);
    await readToEnd(s, moved);
    const issues = (await requestTexts(s)).map((t) => (parseRequest(t) as { ok: true; request: { issue: string } }).request.issue).sort();
    expect(issues).toEqual(["appended to the old file after it moved", "first line of the new file", "in the old file"]);
  });

  test("a 200 MB session: one request for a phrase appended at its end, found reading only the appended bytes", async () => {
    const s = await setup({
      before: async ({ session }) => {
        // ~200 MB of ordinary records, written in 8 MB blocks
        const block = Buffer.from(Array.from({ length: 40 }, (_, i) => said(`step ${i}: ${"x".repeat(200_000)}`)).join(""));
        const handle = await open(session, "w");
        try {
          for (let written = 0; written < 200 * 1024 * 1024; written += block.length) await handle.write(block);
        } finally {
          await handle.close();
        }
      },
    });
    const size = (await stat(s.session)).size;
    expect(size).toBeGreaterThan(200 * 1024 * 1024);
    expect((await offsetsOf(s))[s.session]?.offset).toBe(size);
    const appended = userLine("DELEGATE TO CODEX: search is slow on the 200 MB catalogue");
    await appendFile(s.session, appended);
    await until(async () => (await requestFiles(s)).length === 1, "the request", 20_000);
    await readToEnd(s, s.session);
    const reads = s.reads.filter((r) => r.transcript === s.session);
    expect(reads.reduce((sum, r) => sum + r.bytes, 0)).toBe(Buffer.byteLength(appended));
    expect((await offsetsOf(s))[s.session]?.offset).toBe(size + Buffer.byteLength(appended));
    expect(s.requests).toEqual([expect.objectContaining({ offset: size })]);
    await rm(s.session); // 200 MB: not left for afterEach
  }, 120_000);
});

describe("skips and other formats", () => {
  test("a prompt the hook already turned into a request makes none here", async () => {
    const issue = "the hook got this one first";
    const s = await setup({ before: withSession() });
    const record = path.join(s.ws, ".autonomous_runs/.relay/hook-requests", `${createHash("sha256").update(`${SESSION}\n${issue}`).digest("hex")}.json`);
    await mkdir(path.dirname(record), { recursive: true });
    await writeFile(record, JSON.stringify({ id: "20260101_000000" }));
    await appendFile(s.session, userLine(`DELEGATE TO CODEX: ${issue}`));
    await appendFile(s.session, userLine("DELEGATE TO CODEX: a prompt the hook did not take"));
    await until(async () => (await requestFiles(s)).length === 1, "the other request");
    await readToEnd(s, s.session);
    expect(s.skips).toEqual([expect.objectContaining({ reason: "hook", issue })]);
    const parsed = parseRequest((await requestTexts(s))[0]!);
    expect(parsed.ok && parsed.request.issue).toBe("a prompt the hook did not take");
  });

  test("Codex sessions: a user's phrase counts, a `codex exec` rollout (the relay's own runs) never", async () => {
    const s = await setup({ paths: ["~/.codex/sessions"], before: async ({ home }) => void (await mkdir(path.join(home, ".codex/sessions"), { recursive: true })) });
    const day = path.join(s.home, ".codex/sessions/2026/11/21");
    await mkdir(day, { recursive: true });
    const meta = (source: unknown, originator: string) =>
      `${JSON.stringify({ timestamp: "2026-11-21T13:32:41.425Z", type: "session_meta", payload: { id: "01a1", cwd: s.ws, originator, cli_version: "0.171.0", source } })}\n`;
    const user = (text: string) =>
      `${JSON.stringify({ timestamp: "2026-11-21T13:32:42.000Z", type: "response_item", payload: { type: "message", id: `msg_${uuid()}`, role: "user", content: [{ type: "input_text", text }] } })}\n`;
    const exec = path.join(day, "rollout-2026-11-21T13-32-41-01a1.jsonl");
    const cli = path.join(day, "rollout-2026-11-21T13-40-00-02b2.jsonl");
    await writeFile(exec, meta("exec", "codex_exec") + user("DELEGATE TO CODEX: a prompt the relay itself sent"));
    await writeFile(cli, meta("cli", "codex_cli_rs") + user("DELEGATE TO CODEX: stock sync double-counts returns"));
    // a sub-agent speaks to its parent agent, not to the user
    const spawned = { subagent: { thread_spawn: { parent_thread_id: "01a1", depth: 1, agent_nickname: "scout", agent_role: "explorer" } } };
    await writeFile(path.join(day, "rollout-2026-11-21T13-41-00-03c3.jsonl"), meta(spawned, "codex_cli_rs") + user("DELEGATE TO CODEX: said to a sub-agent"));
    await writeFile(path.join(day, "rollout-2026-11-21T13-42-00-04d4.jsonl"), meta({ subagent: "review" }, "codex_cli_rs") + user("DELEGATE TO CODEX: said to a reviewer"));
    await until(async () => (await requestFiles(s)).length === 1, "the request from the interactive session");
    await appendFile(exec, user("DELEGATE TO CODEX: more of the relay's own run"));
    await s.watcher.poll();
    await s.watcher.idle();
    expect(s.requests).toEqual([expect.objectContaining({ transcript: cli, format: "codex-cli", issue: "stock sync double-counts returns" })]);
    expect(await requestFiles(s)).toHaveLength(1);
  });

  test("Aider history and a plain log: prose counts; a fence open before the first start keeps hiding what follows", async () => {
    const s = await setup({
      paths: [".aider.chat.history.md", "notes/debug.md"],
      before: async ({ ws }) => {
        await mkdir(path.join(ws, "notes"));
        await writeFile(path.join(ws, "notes/debug.md"), "# Debugging\n\n```text\nstack trace pasted here\n");
      },
    });
    const aider = path.join(s.ws, ".aider.chat.history.md");
    const log = path.join(s.ws, "notes/debug.md");
    await writeFile(aider, "\n# aider chat started at 2026-11-20 10:00:00\n\n#### DELEGATE TO CODEX: coupon total can go negative  \n#### See tests/test_cart.py for the failing case.  \n\n> DELEGATE TO CODEX: tool output\n");
    await appendFile(log, "DELEGATE TO CODEX: still inside the fence\n```\n\nDELEGATE TO CODEX: connection pool starves at night\n");
    await until(async () => (await requestFiles(s)).length === 2, "two requests");
    await readToEnd(s, aider);
    await readToEnd(s, log);
    expect(s.requests.map((r) => [r.format, r.role, r.issue]).sort()).toEqual([
      ["aider", "user", "coupon total can go negative"],
      ["plain", "user", "connection pool starves at night"],
    ]);
    // a prompt is one utterance: its lines after the phrase reach the request's context too
    const fromAider = (await requestTexts(s)).find((text) => text.includes("coupon total can go negative"))!;
    expect(fromAider).toContain("See tests/test_cart.py for the failing case.");
    expect(fromAider).toContain("in an Aider transcript");
  });
});

describe("context gathered for the request", () => {
  test("mentioned files that exist, git status changes, the last failed command and the fixes tried; secrets and missing files left out", async () => {
    const s = await setup({
      before: async (w) => {
        await withSession()(w);
        await mkdir(path.join(w.ws, "src"));
        await writeFile(path.join(w.ws, "src/checkout.ts"), "export const total = 1;\n");
        await writeFile(path.join(w.ws, "src/untouched.ts"), "export const y = 2;\n");
        git(w.ws, "add", "src");
        git(w.ws, "commit", "-qm", "src");
        await writeFile(path.join(w.ws, ".env"), "STRIPE_KEY=sk_live_abcdefghijklmnopqrstuvwx\n");
        await writeFile(path.join(w.ws, "src/changed-not-mentioned.ts"), "export const z = 3;\n"); // untracked: in git status
      },
    });
    await appendFile(
      s.session,
      [
        userLine("The total in src/checkout.ts is wrong, see .env and src/missing.ts"),
        bashCall("toolu_9", "npm test -- checkout"),
        toolResult("toolu_9", `Exit code 1\nFAIL tests/checkout.test.ts\nTypeError: Cannot read properties of undefined (reading 'amount')\n    at total (${s.ws}/src/checkout.ts:1:22)`, true),
        said("I tried clamping the total at zero; no change.\nAttempted: reverting the coupon change."),
        userLine("DELEGATE TO CODEX: checkout total is undefined for gift cards"),
      ].join(""),
    );
    await until(async () => (await requestFiles(s)).length === 1, "the request");
    const text = (await requestTexts(s))[0]!;
    const parsed = parseRequest(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { request } = parsed;
    expect(request.files).toContain("src/checkout.ts");
    expect(request.files).toContain("src/changed-not-mentioned.ts");
    expect(request.files).not.toContain("src/untouched.ts");
    expect(request.files).not.toContain(".env");
    expect(request.files).not.toContain("src/missing.ts");
    expect(request.files.some((f) => f.startsWith(".autonomous_runs"))).toBe(false);
    expect(request.errorLogs).toContain("$ npm test -- checkout");
    expect(request.errorLogs).toContain("TypeError: Cannot read properties of undefined");
    expect(request.attemptedFixes).toEqual(["I tried clamping the total at zero; no change.", "Attempted: reverting the coupon change."]);
    expect(text).not.toContain("sk_live_abcdefghijklmnopqrstuvwx");
  });

  test("bounded: file count and per-file size limits hold, and what was left out is named", async () => {
    const s = await setup({
      toml: "max_context_files = 2\nmax_context_file_bytes = 1000",
      before: async (w) => {
        await withSession()(w);
        for (const name of ["a.ts", "b.ts", "c.ts"]) await writeFile(path.join(w.ws, name), "x\n");
        await writeFile(path.join(w.ws, "big.json"), `"${"y".repeat(5000)}"\n`);
      },
    });
    await appendFile(s.session, userLine("Look at a.ts, b.ts, c.ts and big.json.\nDELEGATE TO CODEX: four files"));
    await until(async () => (await requestFiles(s)).length === 1, "the request");
    const parsed = parseRequest((await requestTexts(s))[0]!);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.request.files).toHaveLength(2);
    expect(parsed.request.context).toMatch(/larger than transcripts\.max_context_file_bytes \(1000\): big\.json/);
    expect(parsed.request.context).toMatch(/not listed \(transcripts\.max_context_files/);
  });

  test("a workspace outside git still gets a request, with the mentioned files only", async () => {
    const s = await setup({ before: withSession() });
    await rm(path.join(s.ws, ".git"), { recursive: true, force: true });
    await writeFile(path.join(s.ws, "notes.txt"), "not mentioned\n");
    await appendFile(s.session, userLine("README.md is stale.\nDELEGATE TO CODEX: no git here"));
    await until(() => s.requests.length === 1, "the request");
    const parsed = parseRequest((await requestTexts(s))[0]!);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.request.files).toEqual(["README.md"]);
    expect(s.errors).toEqual([]);
  });
});
