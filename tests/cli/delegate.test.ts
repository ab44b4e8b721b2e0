// `codex-relay delegate --wait` and `run` end to end: the built CLI, the real codex binary, the
// scripted model server, a real git repository.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TESTED_CODEX } from "../../src/codex/tested-range.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => ws?.cleanup());

describe("delegate --wait without a daemon", () => {
  beforeEach(async () => {
    ws = await makeTestWorkspace();
  });

  it("turns a request into a RESULT pair with every section and prints it", async () => {
    await writeFile(path.join(ws.dir, "main.py"), "def start():\n    raise ValueError('boom')\n");
    ws.server.enqueue(jsonMessage(analysisReply()));
    const run = await ws.cli([
      "delegate", "--wait", "--json",
      "--issue", "500 error on /runs/start with no traceback",
      "--files", "main.py,missing.py",
      "--context", "Health check passes.",
      "--logs", "Internal Server Error",
      "--attempted-fixes", "Added Request import", "Renamed the parameter",
    ]);
    expect(run.stderr).toContain("waiting for its RESULT");
    expect(run.exitCode).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.status).toBe("completed");
    expect(printed.analysis.root_cause).toContain("rate limiter");
    expect(printed.warnings).toContain("file not found: missing.py");
    expect(printed.codex.version).toBe(TESTED_CODEX.high);
    expect(printed.codex.sandbox).toBe("read-only");
    expect(printed.codex.thread_id).toMatch(/\S/);
    expect(printed.usage.input_tokens).toBeGreaterThan(0);

    const id = printed.id as string;
    const json = JSON.parse(await readFile(ws.layout.result(id, "json"), "utf8"));
    expect(json).toEqual(printed);
    const md = await readFile(ws.layout.result(id, "md"), "utf8");
    for (const heading of ["Root Cause Analysis", "Technical Explanation", "Recommended Fixes", "Code Examples", "Additional Investigation", "Confidence Level"]) {
      expect(md).toContain(`## ${heading}`);
    }
    expect(md).toContain("Move the limiter decorator");

    // what the model saw: the issue, the context, the attempted fixes and the embedded file
    const sent = ws.server.requests[0]!;
    expect(sent.text).toContain("500 error on /runs/start with no traceback");
    expect(sent.text).toContain("Renamed the parameter");
    expect(sent.text).toContain("raise ValueError('boom')");
    expect(sent.body.text.format.strict).toBe(true);
    // the event log exists and is JSON lines
    const log = (await readFile(ws.layout.log(id), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(log.map((e) => e.type)).toContain("turn.completed");
  });

  it("keeps a reply that is not JSON as raw text in a failed RESULT", async () => {
    ws.server.enqueue({ kind: "message", text: "I think it is the decorator order." });
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"]);
    expect(run.exitCode).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("invalid_reply");
    expect(result.error.hint).toMatch(/Retry/);
    expect(result.raw_reply).toBe("I think it is the decorator order.");
    const md = await readFile(ws.layout.result(result.id, "md"), "utf8");
    expect(md).toContain("I think it is the decorator order.");
  });

  it("rejects a reply that is JSON but not the schema, naming the field", async () => {
    ws.server.enqueue(jsonMessage({ ...analysisReply(), confidence: "certain" }));
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"]);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("failed");
    expect(result.error.message).toContain("confidence");
  });

  it("reports a 401 from the provider as codex_not_authenticated with a hint", async () => {
    ws.server.enqueue({ kind: "http_error", status: 401, body: { error: { message: "Incorrect API key provided" } } });
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "auth"]);
    expect(run.exitCode).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("codex_not_authenticated");
    expect(result.error.hint).toContain("codex login");
  });

  it("reports a 429 as codex_rate_limited", async () => {
    ws.server.enqueue({ kind: "http_error", status: 429, body: { error: { message: "slow down" } } });
    const result = JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "rate"])).stdout);
    expect(result.error.code).toBe("codex_rate_limited");
  });

  it("prints the Markdown RESULT without --json", async () => {
    ws.server.enqueue(jsonMessage(analysisReply()));
    const run = await ws.cli(["delegate", "--wait", "--issue", "md please"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^# Codex Delegation Result \d{8}_\d{6}/);
    expect(run.stdout).toContain("## Root Cause Analysis");
  });

  it("without --wait prints the id at once and writes a request a daemon can parse", async () => {
    const run = await ws.cli(["delegate", "--issue", "later: colons: and 'quotes'", "--files", "a.ts, b.ts"]);
    expect(run.exitCode).toBe(0);
    const id = run.stdout.trim();
    expect(id).toMatch(/^\d{8}_\d{6}(_\d+)?$/);
    const request = await readFile(ws.layout.request(id), "utf8");
    expect(request).toContain("later: colons: and 'quotes'");
    expect(ws.server.requests).toHaveLength(0);
    const second = await ws.cli(["delegate", "--issue", "same second"]);
    expect(second.stdout.trim()).not.toBe(id);
  });

  it("requires --issue", async () => {
    const run = await ws.cli(["delegate", "--files", "a.ts"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--issue");
  });
});

describe("codex not installed", () => {
  it("ends in a failed RESULT that says how to install it", async () => {
    ws = await makeTestWorkspace({ codexBin: "/nonexistent/codex" });
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "no codex"]);
    expect(run.exitCode).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("codex_not_found");
    expect(result.error.message).toContain("/nonexistent/codex");
    expect(result.error.hint).toContain("npm install -D @openai/codex");
    expect(ws.server.requests).toHaveLength(0);
  });
});

describe("codex not logged in", () => {
  it("ends in a failed RESULT that says to run `codex login`, without starting a run", async () => {
    ws = await makeTestWorkspace({ mockProvider: false });
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "no login"]);
    expect(run.exitCode).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("codex_not_authenticated");
    expect(result.error.message).toContain("not logged in");
    expect(result.error.hint).toContain("codex login");
    expect(result.codex.thread_id).toBeNull();
  });
});

describe("run <request-file>", () => {
  it("processes a hand-written request outside the inbox and exits 0", async () => {
    ws = await makeTestWorkspace();
    ws.server.enqueue(jsonMessage(analysisReply()));
    const file = path.join(ws.dir, "my-request.md");
    await writeFile(file, "## Issue\nThe build hangs on CI only.\n");
    const run = await ws.cli(["run", file, "--json"]);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("completed");
    expect(await readFile(ws.layout.request(result.id), "utf8")).toContain("The build hangs on CI only.");
    expect(ws.server.requests[0]!.text).toContain("The build hangs on CI only.");
  });

  it("gives a request that was already answered its existing RESULT without running Codex again", async () => {
    ws = await makeTestWorkspace();
    ws.server.enqueue(jsonMessage(analysisReply()));
    const first = JSON.parse((await ws.cli(["delegate", "--wait", "--json", "--issue", "once"])).stdout);
    const again = await ws.cli(["run", ws.layout.request(first.id), "--json"]);
    expect(JSON.parse(again.stdout).timing).toEqual(first.timing);
    expect(ws.server.requests).toHaveLength(1);
  });
});
