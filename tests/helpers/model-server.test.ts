// Self-test of the model stand-in: first the server on its own (fetch), then the REAL codex binary
// driven against it, pinning down the wire shapes codex-relay depends on.
import { mkdtemp, readFile, rm, writeFile, access } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { codexBinary, codexProviderOverrides, codexTestEnv, makeCodexHome, MOCK_API_KEY } from "./codex-home.js";
import { applyPatch, execCommand, inputItems, jsonMessage, startModelServer, type ModelServer } from "./model-server.js";

type CodexEvent = { type: string; [key: string]: any };

let server: ModelServer;
let home: { dir: string; cleanup(): Promise<void> };
let repo: string;
const children: ResultPromise[] = [];

beforeEach(async () => {
  server = await startModelServer();
  home = await makeCodexHome();
  repo = await mkdtemp(path.join(os.tmpdir(), "codex-relay-repo-"));
  await execa("git", ["init", "-q", repo]);
  await writeFile(path.join(repo, "README.md"), "# fixture\n");
  await execa("git", ["-C", repo, "add", "."]);
  await execa("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init"]);
});

afterEach(async () => {
  for (const child of children.splice(0)) killGroup(child);
  await server.close();
  await home.cleanup();
  await rm(repo, { recursive: true, force: true });
});

function killGroup(child: ResultPromise): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // ESRCH: the group already exited.
  }
}

function spawnCodex(args: string[], prompt: string): ResultPromise {
  const child = execa(
    codexBinary(),
    ["exec", "--json", "-C", repo, ...codexProviderOverrides(server).flatMap((v) => ["-c", v]), ...args, "--", prompt],
    { env: codexTestEnv(home.dir), stdin: "ignore", detached: true, reject: false, timeout: 50_000, killSignal: "SIGKILL" },
  );
  children.push(child);
  return child;
}

async function runCodex(args: string[], prompt: string) {
  const result = await spawnCodex(args, prompt);
  const stdout = String(result.stdout);
  const events = stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as CodexEvent);
  return { result, events };
}

const itemsOf = (events: CodexEvent[], type: string, item: string) =>
  events.filter((e) => e.type === type && e.item?.type === item).map((e) => e.item);

describe("model server on its own", () => {
  it("answers queued replies in order, then the default, and records each request", async () => {
    server.enqueue({ kind: "message", text: "first" }, () => ({ kind: "http_error", status: 503 }));
    server.setDefault({ kind: "sse", events: [{ type: "custom.event", n: 1 }] });
    const post = (input: string) =>
      fetch(`${server.url}/responses`, { method: "POST", body: JSON.stringify({ input: [{ type: "message", role: "user", content: [{ type: "input_text", text: input }] }] }) });

    const first = await (await post("one")).text();
    expect(first).toContain('"text":"first"');
    expect(first).toContain("event: response.completed");
    const second = await post("two");
    expect(second.status).toBe(503);
    expect(await (await post("three")).text()).toBe('event: custom.event\ndata: {"type":"custom.event","n":1}\n\n');

    const seen = await server.waitForRequests(3, 1_000);
    expect(seen.map((r) => [r.method, r.path, r.text])).toEqual([
      ["POST", "/v1/responses", "one"],
      ["POST", "/v1/responses", "two"],
      ["POST", "/v1/responses", "three"],
    ]);
    await expect(server.waitForRequests(4, 50)).rejects.toThrow(/expected 4 request\(s\).*got 3/);
  });

  it("close() returns while a hanging reply still holds its socket open", async () => {
    server.enqueue({ kind: "hang" });
    const pending = fetch(`${server.url}/responses`, { method: "POST", body: "{}" });
    await server.waitForRequests(1, 5_000);
    await server.close();
    await expect(pending).rejects.toThrow();
  });
});

describe("the real codex binary against the model server", () => {
  it("turns a message reply into agent_message and turn.completed with usage", async () => {
    server.enqueue({ kind: "message", text: "hello from the mock" });
    const { result, events } = await runCodex(["-s", "read-only"], "say hello");

    expect(result.exitCode).toBe(0);
    expect(events.map((e) => e.type)).toEqual(["thread.started", "turn.started", "item.completed", "turn.completed"]);
    expect(itemsOf(events, "item.completed", "agent_message").map((i) => i.text)).toEqual(["hello from the mock"]);
    expect(events.at(-1)?.usage).toMatchObject({ input_tokens: 10, cached_input_tokens: 3, output_tokens: 5, reasoning_output_tokens: 1 });

    const [request] = server.requests;
    expect(request?.path).toBe("/v1/responses");
    expect(request?.body.stream).toBe(true);
    expect(request?.headers.authorization).toBe(`Bearer ${MOCK_API_KEY}`);
    expect(request?.text).toContain("say hello");
  });

  it("sends --output-schema as body.text.format (json_schema, strict, name codex_output_schema)", async () => {
    const schema = {
      type: "object",
      properties: { root_cause: { type: "string" }, confidence: { type: "string", enum: ["high", "medium", "low"] } },
      required: ["root_cause", "confidence"],
      additionalProperties: false,
    };
    const schemaFile = path.join(home.dir, "schema.json");
    await writeFile(schemaFile, JSON.stringify(schema));
    const reply = { root_cause: "off by one", confidence: "high" };
    server.enqueue(jsonMessage(reply));

    const { result, events } = await runCodex(["-s", "read-only", "--output-schema", schemaFile], "diagnose");

    expect(result.exitCode).toBe(0);
    expect(server.requests[0]?.body.text.format).toEqual({ type: "json_schema", strict: true, name: "codex_output_schema", schema });
    expect(JSON.parse(itemsOf(events, "item.completed", "agent_message")[0]?.text)).toEqual(reply);
  });

  it("runs an exec_command tool call in a workspace-write sandbox and returns its output next request", async () => {
    server.enqueue(execCommand("printf relayed > made-by-codex.txt && echo wrote-it", { callId: "call_write" }), (request) => {
      const output = inputItems(request, "function_call_output").find((item) => item.call_id === "call_write");
      return { kind: "message", text: output ? "saw the output" : "no output" };
    });

    const { result, events } = await runCodex(["-s", "workspace-write"], "write a file");

    expect(result.exitCode).toBe(0);
    expect(await readFile(path.join(repo, "made-by-codex.txt"), "utf8")).toBe("relayed");
    const [started] = itemsOf(events, "item.started", "command_execution");
    const [done] = itemsOf(events, "item.completed", "command_execution");
    expect(started).toMatchObject({ status: "in_progress", exit_code: null });
    expect(done).toMatchObject({ id: started.id, exit_code: 0, status: "completed", aggregated_output: "wrote-it\n" });
    expect(done.command).toContain("printf relayed > made-by-codex.txt");
    expect(itemsOf(events, "item.completed", "agent_message").map((i) => i.text)).toEqual(["saw the output"]);

    const [, second] = server.requests;
    expect(inputItems(second!, "function_call")[0]).toMatchObject({ call_id: "call_write", name: "exec_command" });
    expect(inputItems(second!, "function_call_output")[0].output).toMatch(/Process exited with code 0[\s\S]*wrote-it/);
  });

  it("refuses a write in a read-only sandbox and reports the failure to the model", async () => {
    server.enqueue(execCommand("echo nope > blocked.txt"), { kind: "message", text: "done" });

    const { result } = await runCodex(["-s", "read-only"], "try to write");

    expect(result.exitCode).toBe(0);
    await expect(access(path.join(repo, "blocked.txt"))).rejects.toThrow();
    expect(inputItems(server.requests[1]!, "function_call_output")[0].output).toMatch(/Read-only file system/);
  });

  it("applies a freeform apply_patch call and emits file_change", async () => {
    server.enqueue(applyPatch("*** Begin Patch\n*** Add File: notes.txt\n+patched by codex\n*** End Patch\n", "call_patch"), {
      kind: "message",
      text: "patched",
    });

    const { result, events } = await runCodex(["-s", "workspace-write", "-m", "gpt-5.5"], "patch it");

    expect(result.exitCode).toBe(0);
    expect(await readFile(path.join(repo, "notes.txt"), "utf8")).toBe("patched by codex\n");
    // gpt-5.5 is a catalog model without code mode: its tools are listed in body.tools.
    expect(server.requests[0]?.body.tools.map((t: { name?: string }) => t.name)).toEqual(expect.arrayContaining(["exec_command", "apply_patch"]));
    expect(itemsOf(events, "item.completed", "file_change")[0]).toEqual({
      id: expect.any(String),
      type: "file_change",
      changes: [{ path: path.join(repo, "notes.txt"), kind: "add" }],
      status: "completed",
    });
    expect(inputItems(server.requests[1]!, "custom_tool_call_output")[0]).toMatchObject({ call_id: "call_patch" });
  });

  it("turns an http 401 into an error event and turn.failed", async () => {
    server.enqueue({ kind: "http_error", status: 401, body: { error: { message: "Incorrect API key provided", code: "invalid_api_key" } } });

    const { result, events } = await runCodex(["-s", "read-only"], "hi");

    expect(result.exitCode).toBe(1);
    const error = events.find((e) => e.type === "error");
    expect(error?.message).toMatch(/^unexpected status 401 Unauthorized: Incorrect API key provided/);
    expect(events.find((e) => e.type === "turn.failed")?.error.message).toBe(error?.message);
  });

  it("fails the turn when the stream is cut after response.created", async () => {
    server.enqueue({ kind: "stall_after_created" });
    const child = spawnCodex(["-s", "read-only"], "hi");
    await server.waitForRequests(1);
    await server.close(); // destroys the open stream under codex

    const result = await child;
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/"type":"turn.failed".*stream disconnected before completion/);
  });

  it("leaves no codex process behind when a hanging turn's process group is killed", async () => {
    server.enqueue({ kind: "hang" });
    const child = spawnCodex(["-s", "read-only"], "hi");
    await server.waitForRequests(1);

    killGroup(child);
    const result = await child;
    expect(result.signal).toBe("SIGKILL");
    await server.close();
    expect(groupAlive(child.pid!)).toBe(false);
  });
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
