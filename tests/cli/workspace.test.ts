// A workspace that does not exist, through the built CLI: every command but `init` refuses it with
// exit 2 naming the path and creates nothing; `init` sets one up; `doctor` in a folder that is not a
// git repository says exactly that, and creates nothing either. A folder outside git that is not a
// codex-relay workspace is refused the same way, whether it is the current folder or --workspace.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { layoutFor } from "../../src/protocol/layout.js";
import { CLI, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "codex-relay-typo-"));
  dirs.push(dir);
  return dir;
}

/** Every command that acts on an existing workspace but doctor; `request`: the file `run` is given. */
const workspaceCommands = (request: string): string[][] => [
  ["delegate", "--issue", "x"],
  ["delegate", "--wait", "--issue", "x"],
  ["diagnose"],
  ["patch"],
  ["micro", "tidy", "--detach"],
  ["plan", "split it"],
  ["run", request],
  ["replay", "20990101_000000"],
  ["status"],
  ["audit"],
  ["ui"],
  ["start"],
  ["show", "20990101_000000"],
  ["wait", "20990101_000000"],
  ["cancel", "20990101_000000"],
  ["approve", "20990101_000000"],
];

describe("--workspace naming a folder that does not exist", () => {
  it("is an error for every command that is not init, and nothing is created", async () => {
    const w = (ws = await makeTestWorkspace());
    const typo = path.join(await scratch(), "no-such", "repo");
    const request = path.join(w.dir, "hand.md");
    await writeFile(request, "## Issue\nx\n");
    const commands = [...workspaceCommands(request), ["doctor"]];
    for (const argv of commands) {
      const run = await w.cli([...argv, "--workspace", typo], { timeoutMs: 20_000 });
      expect(run.exitCode, argv.join(" ")).toBe(2);
      expect(run.stdout, argv.join(" ")).toBe("");
      expect(run.stderr, argv.join(" ")).toContain(`codex-relay ${argv[0]}: workspace ${typo} does not exist; nothing was written`);
      expect(existsSync(path.dirname(typo)), argv.join(" ")).toBe(false);
    }
    expect(w.server.requests).toHaveLength(0);
  });

  it("init creates it and sets it up", async () => {
    const dir = path.join(await scratch(), "new", "repo");
    const run = await execa(process.execPath, [CLI, "init", "--workspace", dir], { reject: false, env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir() }, extendEnv: false });
    expect(run.exitCode).toBe(0);
    expect(existsSync(layoutFor(dir).inbox)).toBe(true);
    expect(existsSync(path.join(dir, "codex-relay.toml"))).toBe(true);
  });
});

/** The built CLI run as a user would from `cwd`, with no daemon anywhere. */
function cliIn(cwd: string, args: readonly string[]) {
  return execa(process.execPath, [CLI, ...args], { cwd, reject: false, env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir() }, extendEnv: false, stdin: "ignore", timeout: 20_000 });
}

describe("a folder outside git that is not a codex-relay workspace", () => {
  it("is refused by every command as the current folder and as --workspace: exit 2, what to do, nothing created", async () => {
    const plain = await scratch();
    await writeFile(path.join(plain, "hand.md"), "## Issue\nx\n");
    const elsewhere = await scratch();
    for (const argv of workspaceCommands(path.join(plain, "hand.md"))) {
      for (const [cwd, args] of [[plain, argv], [elsewhere, [...argv, "--workspace", plain]]] as const) {
        const what = `${args.join(" ")} (in ${cwd === plain ? "the folder" : "another folder"})`;
        const run = await cliIn(cwd, args);
        expect(run.exitCode, what).toBe(2);
        expect(run.stdout, what).toBe("");
        expect(run.stderr, what).toContain(`codex-relay ${argv[0]}: ${plain} is not in a git repository and not a codex-relay workspace (no codex-relay.toml, no .autonomous_runs/); nothing was written`);
        expect(run.stderr, what).toMatch(/hint: .*--workspace <repo>.*`git init` or `codex-relay init`/);
      }
    }
    expect(await readdir(plain)).toEqual(["hand.md"]);
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it("takes requests once `git init` or `codex-relay init` made it one, and from a subfolder of a repository as before", async () => {
    const viaGit = await scratch();
    execFileSync("git", ["init", "-q", viaGit]);
    const sub = path.join(viaGit, "src", "deep");
    await mkdir(sub, { recursive: true });
    const fromSub = await cliIn(sub, ["delegate", "--issue", "x", "--json"]);
    expect(fromSub.exitCode, fromSub.stderr).toBe(0);
    expect(JSON.parse(fromSub.stdout).request).toContain(layoutFor(viaGit).inbox);

    const viaInit = await scratch();
    expect((await cliIn(viaInit, ["init"])).exitCode).toBe(0);
    const delegated = await cliIn(viaInit, ["delegate", "--issue", "x", "--json"]);
    expect(delegated.exitCode, delegated.stderr).toBe(0);
    expect(existsSync(JSON.parse(delegated.stdout).request)).toBe(true);
  });
});

describe("doctor in a folder that is not a git repository", () => {
  it("says so, says the config defaults apply when there is none, and creates nothing", async () => {
    const dir = await scratch();
    const run = await execa(process.execPath, [CLI, "doctor", "--workspace", dir], { reject: false, env: { PATH: process.env.PATH ?? "", HOME: dir }, extendEnv: false });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^ok +config +no codex-relay\.toml \(defaults apply\)$/m);
    expect(run.stdout).toContain(`FAIL git      ${dir} is not in a git repository`);
    expect(run.stdout).toContain("fix: run `git init`");
    expect(run.stdout).not.toContain("unexpected error");
    expect(run.stdout).toMatch(/^ok +folders +\.autonomous_runs\/codex_delegations\/.* not made yet/m);
    expect(await readdir(dir)).toEqual([]);
  });

  it("a config that exists is reported valid", async () => {
    const dir = await scratch();
    execFileSync("git", ["init", "-q", dir]);
    await writeFile(path.join(dir, "codex-relay.toml"), "[daemon]\nconcurrency = 2\n");
    const run = await execa(process.execPath, [CLI, "doctor", "--json"], { cwd: dir, reject: false, env: { PATH: process.env.PATH ?? "", HOME: dir }, extendEnv: false });
    const checks = JSON.parse(run.stdout) as { name: string; ok: boolean; detail: string }[];
    expect(checks.find((c) => c.name === "config")).toEqual({ name: "config", ok: true, detail: "codex-relay.toml is valid" });
    expect(checks.find((c) => c.name === "git")).toMatchObject({ ok: true });
  });
});
