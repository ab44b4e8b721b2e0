// Requests are redacted when they are written, whoever writes them (`delegate`, `diagnose`, `run`,
// the editor hook), with the daemon's own redactor: secret shapes, secret-named variables and the
// config's `security.redact_env`. Driven through the built CLI on a real git workspace; no Codex
// turn is needed, since the request file itself is what is checked.
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { REQUEST_FILE } from "../../src/protocol/layout.js";
import { CLI, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

// A value with no secret shape at all: only the config says it is one.
const NAMED_VALUE = "plain-looking value 7731";
const PROJECT_KEY = "sk-proj-Zx81kQ0pLm2Nb7Vc4Xr9Ty3Ue6Wi5Oa";
const SECRET_ENV = { BILLING_DB_CRED: NAMED_VALUE };

let ws: TestWorkspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

async function workspace(): Promise<TestWorkspace> {
  ws = await makeTestWorkspace({ toml: '[security]\nredact_env = ["BILLING_DB_CRED"]' });
  return ws;
}

/** Every request file in the inbox, and the hook's phrase records, as text. */
async function writtenRequests(w: TestWorkspace): Promise<string[]> {
  const names = (await readdir(w.layout.inbox)).filter((name) => REQUEST_FILE.test(name));
  const records = path.join(w.layout.relay, "hook-requests");
  const recordNames = await readdir(records).catch(() => [] as string[]);
  return Promise.all([
    ...names.map((name) => readFile(path.join(w.layout.inbox, name), "utf8")),
    ...recordNames.map((name) => readFile(path.join(records, name), "utf8")),
  ]);
}

describe("requests are redacted before they are written", () => {
  it("delegate --logs: a provider key and a config-named value never reach the request file", async () => {
    const w = await workspace();
    const run = await w.cli(
      ["delegate", "--issue", "login fails", "--logs", `POST /login token=${PROJECT_KEY}\ncred ${NAMED_VALUE}`, "--context", `key ${PROJECT_KEY}`],
      { env: SECRET_ENV },
    );
    expect(run.exitCode).toBe(0);
    const [request, ...more] = await writtenRequests(w);
    expect(more).toEqual([]);
    expect(request).toContain("POST /login token=[REDACTED]");
    expect(request).toContain("cred [REDACTED]");
    expect(request).not.toContain(PROJECT_KEY);
    expect(request).not.toContain(NAMED_VALUE);
  });

  it("diagnose and run publish redacted requests too", async () => {
    const w = await workspace();
    expect((await w.cli(["diagnose", `why does ${NAMED_VALUE} leak with ${PROJECT_KEY}?`], { env: SECRET_ENV })).exitCode).toBe(0);
    const outside = path.join(w.dir, "my-request.md");
    await writeFile(outside, `## Issue\nthe key ${PROJECT_KEY} and ${NAMED_VALUE} are in the logs\n`);
    // `run` processes the request too; Codex's answer does not matter here, only what was published.
    await w.cli(["run", outside], { env: SECRET_ENV });
    const requests = await writtenRequests(w);
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request).toContain("[REDACTED]");
      expect(request).not.toContain(PROJECT_KEY);
      expect(request).not.toContain(NAMED_VALUE);
    }
  });

  it("the Claude Code hook redacts with the daemon's redactor: config-named values as well as shapes", async () => {
    const w = await workspace();
    const prompt = `The billing job logs ${NAMED_VALUE} on start.\nDELEGATE TO CODEX: why is ${NAMED_VALUE} printed next to ${PROJECT_KEY}?`;
    const event = JSON.stringify({ session_id: "s-1", transcript_path: "/x/s-1.jsonl", cwd: w.dir, hook_event_name: "UserPromptSubmit", prompt });
    const run = await execa(process.execPath, [CLI, "hook", "claude-code"], {
      cwd: w.dir,
      env: { ...w.env, ...SECRET_ENV },
      extendEnv: false,
      reject: false,
      input: event,
    });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe("");
    const written = await writtenRequests(w);
    expect(written).toHaveLength(2); // the request and its phrase record
    for (const text of written) {
      expect(text).toContain("[REDACTED]");
      expect(text).not.toContain(PROJECT_KEY);
      expect(text).not.toContain(NAMED_VALUE);
    }
    expect(run.stdout).not.toContain(NAMED_VALUE);
  });
});
