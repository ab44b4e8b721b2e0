// Codex runs only what a relay run needs: a repository's .codex/hooks.json and the user's own
// Codex hooks, trusted the way Codex persists trust, fire for a plain `codex exec` (the control)
// and never during a relay run.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { relayCodexConfig } from "../../src/codex/relay-features.js";
import { codexBinary, codexProviderOverrides } from "../fixtures/codex-home.js";
import { analysisReply, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";
import { jsonMessage, type RecordedRequest } from "../fixtures/model-server.js";
import { fixReplies } from "../fixtures/patch-project.js";
import { makePatchWorkspace, runKind } from "../helpers/patch-workspace.js";

let ws: TestWorkspace;
let canaries: string;
afterEach(async () => {
  await ws?.cleanup();
  if (canaries) await rm(canaries, { recursive: true, force: true });
});

const hooksJson = (tag: string) =>
  JSON.stringify({
    hooks: {
      SessionStart: [{ matcher: "startup", hooks: [{ type: "command", command: `touch ${path.join(canaries, `${tag}-session-start`)}` }] }],
      UserPromptSubmit: [{ hooks: [{ type: "command", command: `touch ${path.join(canaries, `${tag}-prompt`)}` }] }],
    },
  });

/** Trust the project and every hook Codex lists for it, as Codex's own /hooks screen would. */
async function trustHooks(codexHome: string, cwd: string): Promise<number> {
  await appendFile(path.join(codexHome, "config.toml"), `[projects.${JSON.stringify(cwd)}]\ntrust_level = "trusted"\n`);
  const child = spawn(codexBinary(), ["app-server"], { env: { ...process.env, CODEX_HOME: codexHome }, stdio: ["pipe", "pipe", "ignore"] });
  const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
  send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { clientInfo: { name: "relay-test", version: "1" } } });
  send({ jsonrpc: "2.0", method: "initialized" });
  send({ jsonrpc: "2.0", id: 2, method: "hooks/list", params: { cwds: [cwd] } });
  let hooks: { key: string; currentHash: string }[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const message = JSON.parse(line) as { id?: number; result?: { data: { hooks: { key: string; currentHash: string }[] }[] } };
    if (message.id === 2) {
      hooks = message.result?.data.flatMap((entry) => entry.hooks) ?? [];
      break;
    }
  }
  child.kill();
  const state = hooks.map((hook) => `[hooks.state.${JSON.stringify(hook.key)}]\ntrusted_hash = ${JSON.stringify(hook.currentHash)}\n`).join("");
  await appendFile(path.join(codexHome, "config.toml"), state);
  return hooks.length;
}

describe("Codex features a relay run does not need", () => {
  it("never fires the repository's or the user's Codex hooks, which plain codex exec fires", async () => {
    canaries = await mkdtemp(path.join(os.tmpdir(), "codex-relay-canaries-"));
    ws = await makeTestWorkspace();
    const codexHome = ws.env.CODEX_HOME!;
    await mkdir(path.join(ws.dir, ".codex"), { recursive: true });
    await writeFile(path.join(ws.dir, ".codex", "hooks.json"), hooksJson("repo"));
    await writeFile(path.join(codexHome, "hooks.json"), hooksJson("user"));
    expect(await trustHooks(codexHome, ws.dir)).toBe(4);

    // The control: the same Codex home and repository, without the relay.
    ws.server.enqueue({ kind: "message", text: "hi" });
    const overrides = codexProviderOverrides(ws.server).flatMap((value) => ["-c", value]);
    // Async: the model stand-in answers from this very process.
    await execa(codexBinary(), ["exec", "--json", "-s", "read-only", "-C", ws.dir, ...overrides, "--", "hello"], { env: { ...process.env, ...ws.env }, stdin: "ignore" });
    expect((await readdir(canaries)).sort()).toEqual(["repo-prompt", "repo-session-start", "user-prompt", "user-session-start"]);

    await rm(canaries, { recursive: true, force: true });
    await mkdir(canaries);
    ws.server.enqueue(jsonMessage(analysisReply()));
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"]);
    expect(JSON.parse(run.stdout).status).toBe("completed");
    expect(await readdir(canaries)).toEqual([]);
    expect(existsSync(canaries)).toBe(true);
  });

  it("sends the model no skills list, which plain codex exec sends, and no goal tools", async () => {
    canaries = await mkdtemp(path.join(os.tmpdir(), "codex-relay-canaries-"));
    ws = await makeTestWorkspace();
    const toolNames = (body: { tools?: { name?: string }[] }) => (body.tools ?? []).map((tool) => tool.name);
    // The control: the same Codex home and repository, without the relay.
    ws.server.enqueue({ kind: "message", text: "hi" });
    const overrides = codexProviderOverrides(ws.server).flatMap((value) => ["-c", value]);
    await execa(codexBinary(), ["exec", "--json", "-s", "read-only", "-C", ws.dir, ...overrides, "--", "hello"], { env: { ...process.env, ...ws.env }, stdin: "ignore" });
    const plain = ws.server.requests.at(-1)!;
    expect(plain.raw).toContain("<skills_instructions>");

    ws.server.enqueue(jsonMessage(analysisReply()));
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"]);
    expect(JSON.parse(run.stdout).status).toBe("completed");
    const relayed = ws.server.requests.at(-1)!;
    expect(relayed.raw).not.toContain("<skills_instructions>");
    expect(relayed.raw).not.toContain("imagegen");
    expect(toolNames(relayed.body).filter((name) => name?.includes("goal"))).toEqual([]);
  });

  it("offers the model a shell and apply_patch, never web_search, request_user_input or view_image, which plain codex exec offers", async () => {
    ws = await makePatchWorkspace();
    const toolNames = (request: RecordedRequest): string[] => (request.body.tools ?? []).map((tool: { name?: string; type: string }) => tool.name ?? tool.type);
    const unneeded = ["web_search", "request_user_input", "view_image"];
    // The control: the same Codex home, repository and model (without `-m` Codex 0.171 sends the
    // fixture's unknown default model no tools at all).
    ws.server.enqueue({ kind: "message", text: "hi" });
    const overrides = codexProviderOverrides(ws.server).flatMap((value) => ["-c", value]);
    await execa(codexBinary(), ["exec", "--json", "-s", "workspace-write", "-C", ws.dir, "-m", "gpt-5.5", ...overrides, "--", "hello"], { env: { ...process.env, ...ws.env }, stdin: "ignore" });
    expect(toolNames(ws.server.requests.at(-1)!)).toEqual(expect.arrayContaining([...unneeded, "exec_command", "apply_patch"]));

    ws.server.enqueue(jsonMessage(analysisReply()));
    const analysis = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"]);
    expect(JSON.parse(analysis.stdout).status).toBe("completed");
    const analysisTools = toolNames(ws.server.requests.at(-1)!);
    expect(analysisTools).toContain("exec_command");
    expect(analysisTools.filter((name) => unneeded.includes(name))).toEqual([]);

    const before = ws.server.requests.length;
    ws.server.enqueue(...fixReplies());
    const { result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("completed");
    const patchTools = toolNames(ws.server.requests[before]!);
    expect(patchTools).toEqual(expect.arrayContaining(["exec_command", "write_stdin", "apply_patch"]));
    expect(patchTools.filter((name) => unneeded.includes(name))).toEqual([]);
  });

  it("offers request_user_input again when [codex.config.tools] turns it back on", async () => {
    ws = await makeTestWorkspace({ toml: "[codex.config.tools.experimental_request_user_input]\nenabled = true\n" });
    ws.server.enqueue(jsonMessage(analysisReply()));
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "why?"]);
    expect(JSON.parse(run.stdout).status).toBe("completed");
    const names = (ws.server.requests.at(-1)!.body.tools ?? []).map((tool: { name?: string }) => tool.name);
    expect(names).toContain("request_user_input");
    expect(names).not.toContain("view_image");
  });

  it("keeps what [codex.config] says over the relay's defaults", () => {
    const config = relayCodexConfig({ features: { goals: true }, skills: { include_instructions: true }, model_provider: "local" });
    expect(config).toMatchObject({ model_provider: "local", features: { goals: true, hooks: false }, skills: { include_instructions: true, bundled: { enabled: false } } });
    const tools = relayCodexConfig({ web_search: "cached", tools: { update_plan: { enabled: true } }, features: { view_image: true } });
    expect(tools).toMatchObject({ web_search: "cached", tools: { update_plan: { enabled: true }, experimental_request_user_input: { enabled: false } }, features: { view_image: true, goals: false } });
  });
});
