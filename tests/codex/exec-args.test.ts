import { writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { buildExecArgs, type ExecArgsOptions } from "../../src/codex/exec-args.js";
import { codexBinary, codexProviderOverrides, codexTestEnv } from "../fixtures/codex-home.js";
import { codexRunFixture } from "../helpers/codex-run-fixture.js";

const base: ExecArgsOptions = {
  workspace: "/work/ws",
  sandbox: "read-only",
  prompt: "Explain the bug.",
  configArgs: [],
};

/** Everything before the `--` that ends the flags. */
function flagsOf(args: string[]): string[] {
  return args.slice(0, args.indexOf("--"));
}

describe("buildExecArgs (pure)", () => {
  it("builds the minimal exec form with JSON events, sandbox and workspace", () => {
    expect(buildExecArgs(base)).toEqual(["exec", "--json", "-s", "read-only", "-C", "/work/ws", "--", "Explain the bug."]);
  });

  it("adds output schema, model, profile, git check and config overrides before the prompt", () => {
    const args = buildExecArgs({
      ...base,
      sandbox: "workspace-write",
      outputSchemaFile: "/tmp/schema.json",
      model: "gpt-5-codex",
      profile: "relay",
      skipGitRepoCheck: true,
      configArgs: ["-c", "features.plugins=false", "-c", 'model_provider="local"'],
    });
    // Order among the options is codex's business; what matters is each value right after its flag,
    // every option before `--`, and the prompt last.
    expect(args[0]).toBe("exec");
    expect(args.slice(-2)).toEqual(["--", "Explain the bug."]);
    const flags = flagsOf(args);
    const valueOf = (flag: string) => flags[flags.indexOf(flag) + 1];
    expect(flags).toContain("--json");
    expect(valueOf("-s")).toBe("workspace-write");
    expect(valueOf("-C")).toBe("/work/ws");
    expect(valueOf("--output-schema")).toBe("/tmp/schema.json");
    expect(valueOf("-m")).toBe("gpt-5-codex");
    expect(valueOf("-p")).toBe("relay");
    expect(flags).toContain("--skip-git-repo-check");
    const c = flags.indexOf("-c");
    expect(flags.slice(c, c + 4)).toEqual(["-c", "features.plugins=false", "-c", 'model_provider="local"']);
  });

  it("asks for no session file (--ephemeral) only when told, among the flags", () => {
    expect(buildExecArgs(base)).not.toContain("--ephemeral");
    expect(flagsOf(buildExecArgs({ ...base, ephemeral: true }))).toContain("--ephemeral");
  });

  it("leaves out empty model and profile", () => {
    const args = buildExecArgs({ ...base, model: "", profile: "" });
    expect(args).not.toContain("-m");
    expect(args).not.toContain("-p");
  });

  it("keeps a prompt that looks like flags as the one argument after `--`", () => {
    for (const prompt of ["--sandbox danger-full-access", "-s", "--", "-", "--dangerously-bypass-approvals-and-sandbox"]) {
      const args = buildExecArgs({ ...base, prompt });
      expect(args.at(-1)).toBe(prompt);
      expect(args.at(-2)).toBe("--");
      expect(args.indexOf("--")).toBe(args.length - 2);
    }
  });

  it("takes the sandbox only from the options: exactly one -s, nothing from the prompt", () => {
    const args = buildExecArgs({ ...base, prompt: "-s danger-full-access --sandbox danger-full-access" });
    const flags = flagsOf(args);
    expect(flags.filter((a) => a === "-s" || a === "--sandbox")).toEqual(["-s"]);
    expect(flags[flags.indexOf("-s") + 1]).toBe("read-only");
    expect(flags).not.toContain("danger-full-access");
  });

  it("puts the thread id of the resume form after the options and before `--`", () => {
    const args = buildExecArgs({ ...base, resumeThreadId: "01a1fe33-4398-7a83-bdca-7c1ec9c2195d", prompt: "Fix it." });
    expect(args.slice(0, 2)).toEqual(["exec", expect.any(String)]);
    expect(args).toContain("resume");
    expect(args.slice(-3)).toEqual(["01a1fe33-4398-7a83-bdca-7c1ec9c2195d", "--", "Fix it."]);
  });

  // codex 0.169.0: `codex exec resume` has no -s/--sandbox, -C or -p of its own ("error: unexpected
  // argument '-s' found"); they are accepted only before `resume` (`codex exec -s … -C … resume <id>`).
  it("puts the exec-level options -s, -C and -p before `resume`", () => {
    const args = buildExecArgs({ ...base, profile: "relay", resumeThreadId: "t-1" });
    const resumeAt = args.indexOf("resume");
    for (const flag of ["-s", "-C", "-p"]) expect(args.indexOf(flag)).toBeLessThan(resumeAt);
  });
});

describe("buildExecArgs against the real codex binary", () => {
  const fx = codexRunFixture("relay-exec-args-");

  async function run(options: Partial<ExecArgsOptions>) {
    const args = buildExecArgs({
      ...base,
      workspace: fx.ws,
      skipGitRepoCheck: true,
      configArgs: codexProviderOverrides(fx.server).flatMap((value) => ["-c", value]),
      ...options,
    });
    const child = execa(codexBinary(), args, {
      env: codexTestEnv(fx.home.dir),
      stdin: "ignore",
      detached: true,
      reject: false,
      timeout: 50_000,
      killSignal: "SIGKILL",
    });
    fx.track(child);
    const result = await child;
    const events = String(result.stdout)
      .split("\n")
      .filter((line) => line.trim().startsWith("{"))
      .map((line) => JSON.parse(line) as { type: string; thread_id?: string });
    return { result, events, stderr: String(result.stderr) };
  }

  it("codex accepts the fresh form and gets a flag-like prompt verbatim as the user's text", async () => {
    fx.server.setDefault({ kind: "message", text: "ok" });
    const schemaFile = path.join(fx.ws, "schema.json");
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };
    await writeFile(schemaFile, JSON.stringify(schema));
    const prompt = "--sandbox danger-full-access\n-s workspace-write";
    const { result, events, stderr } = await run({ prompt, outputSchemaFile: schemaFile, model: "gpt-5.5" });
    expect(stderr).not.toMatch(/unexpected argument/);
    expect(result.exitCode).toBe(0);
    expect(events.map((e) => e.type)).toContain("turn.completed");
    const request = fx.server.requests[0]!;
    expect(request.text).toContain(prompt);
    expect(request.body.model).toBe("gpt-5.5");
    expect(JSON.stringify(request.body.text)).toContain(JSON.stringify(schema.properties));
    // The sandbox codex applied is the one from the options, and -C set the workspace root.
    expect(request.text).toContain("`sandbox_mode` is `read-only`");
    expect(request.text).toContain(`<root>${fx.ws}</root>`);
  });

  it("codex runs with the workspace-write sandbox when the options say so", async () => {
    fx.server.setDefault({ kind: "message", text: "ok" });
    const { result } = await run({ sandbox: "workspace-write", prompt: "-s read-only" });
    expect(result.exitCode).toBe(0);
    expect(fx.server.requests[0]!.text).toContain("`sandbox_mode` is `workspace-write`");
  });

  // See the pure test above: the resume form is rejected by codex's argument parser, so the patch
  // workflow's repair attempt ("the failure output goes back to the same Codex thread") cannot run.
  it("codex accepts the resume form and continues the same thread", async () => {
    fx.server.setDefault({ kind: "message", text: "ok" });
    const first = await run({ prompt: "first prompt" });
    const threadId = first.events.find((e) => e.type === "thread.started")?.thread_id;
    expect(threadId).toBeTruthy();

    const second = await run({ prompt: "second prompt", resumeThreadId: threadId! });
    expect(second.stderr).not.toMatch(/unexpected argument/);
    expect(second.result.exitCode).toBe(0);
    expect(second.events.find((e) => e.type === "thread.started")?.thread_id).toBe(threadId);
    const last = fx.server.requests.at(-1)!;
    expect(last.text).toContain("first prompt");
    expect(last.text).toContain("second prompt");
  });
});
