// `codex-relay init --claude-code` / `--cursor` through the built CLI: the hooks land in the
// project's settings next to whatever is there, a second run changes nothing, a settings file we
// cannot read is left alone, and the installed command is one that works.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { layoutFor } from "../../src/protocol/layout.js";
import { CLI } from "../helpers/relay-workspace.js";
import { gitdir } from "../helpers/gitdir.js";

async function freshRepo(): Promise<string> {
  return gitdir({ prefix: "codex-relay-init-hooks-", commit: false });
}

function cliIn(cwd: string, args: string[], input?: string) {
  return execa(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd },
    extendEnv: false,
    reject: false,
    ...(input === undefined ? { stdin: "ignore" as const } : { input }),
    timeout: 60_000,
  });
}

const USER_PROMPT_HOOK = "npx codex-relay hook claude-code";
const STOP_HOOK = "npx codex-relay hook claude-code --event stop";

const existingSettings = {
  permissions: { allow: ["Bash(npm test:*)"], deny: ["Read(./.env)"] },
  hooks: {
    UserPromptSubmit: [{ hooks: [{ type: "command", command: "python3 .claude/hooks/add-branch.py", timeout: 5 }] }],
    PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "./scripts/guard.sh" }] }],
  },
  model: "opus",
};

describe("init --claude-code", () => {
  it("adds our UserPromptSubmit and Stop hooks next to the user's settings, and a second run changes nothing", async () => {
    const dir = await freshRepo();
    const file = path.join(dir, ".claude", "settings.json");
    await mkdir(path.dirname(file));
    await writeFile(file, JSON.stringify(existingSettings));

    const first = await cliIn(dir, ["init", "--claude-code"]);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain(`added the UserPromptSubmit hook \`${USER_PROMPT_HOOK}\` to .claude/settings.json`);
    expect(first.stdout).toContain(`added the Stop hook \`${STOP_HOOK}\` to .claude/settings.json`);

    const text = await readFile(file, "utf8");
    const settings = JSON.parse(text);
    expect(text).toBe(`${JSON.stringify(settings, null, 2)}\n`);
    expect(settings.permissions).toEqual(existingSettings.permissions);
    expect(settings.model).toBe("opus");
    expect(settings.hooks.PreToolUse).toEqual(existingSettings.hooks.PreToolUse);
    expect(settings.hooks.UserPromptSubmit).toEqual([
      ...existingSettings.hooks.UserPromptSubmit,
      { hooks: [{ type: "command", command: USER_PROMPT_HOOK }] },
    ]);
    expect(settings.hooks.Stop).toEqual([{ hooks: [{ type: "command", command: STOP_HOOK }] }]);
    expect(await readdir(path.dirname(file))).toEqual(["settings.json"]); // no temp file left behind

    const second = await cliIn(dir, ["init", "--claude-code"]);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain("already set up; nothing changed");
    expect(await readFile(file, "utf8")).toBe(text);
  });

  it("creates .claude/settings.json in a fresh repository, and finds our hook inside a group with a matcher", async () => {
    const dir = await freshRepo();
    expect((await cliIn(dir, ["init", "--claude-code"])).exitCode).toBe(0);
    const file = path.join(dir, ".claude", "settings.json");
    const settings = JSON.parse(await readFile(file, "utf8"));
    expect(settings).toEqual({
      hooks: {
        UserPromptSubmit: [{ hooks: [{ type: "command", command: USER_PROMPT_HOOK }] }],
        Stop: [{ hooks: [{ type: "command", command: STOP_HOOK }] }],
      },
    });

    // a user moved our Stop hook into a group of their own: it still counts as installed
    settings.hooks.Stop = [{ matcher: "", hooks: [{ type: "command", command: "./notify.sh" }, { type: "command", command: STOP_HOOK, timeout: 10 }] }];
    const edited = `${JSON.stringify(settings, null, 2)}\n`;
    await writeFile(file, edited);
    const again = await cliIn(dir, ["init", "--claude-code"]);
    expect(again.stdout).toContain("already set up; nothing changed");
    expect(await readFile(file, "utf8")).toBe(edited);
  });

  it("leaves a settings file that is not valid JSON untouched and says which file to fix", async () => {
    const dir = await freshRepo();
    const file = path.join(dir, ".claude", "settings.json");
    await mkdir(path.dirname(file));
    const broken = '{ "permissions": { "allow": [ } // half-edited\n';
    await writeFile(file, broken);
    const run = await cliIn(dir, ["init", "--claude-code"]);
    expect(run.exitCode).toBe(2); // a settings file that does not validate is a config error: exit 2, as for codex-relay.toml
    expect(run.stderr).toContain(`${file} is not valid JSON; its hooks were not installed`);
    expect(run.stderr).toContain("hint: Fix settings.json");
    expect(await readFile(file, "utf8")).toBe(broken);

    await writeFile(file, JSON.stringify({ hooks: { Stop: { command: "x" } } }));
    const wrongShape = await cliIn(dir, ["init", "--claude-code"]);
    expect(wrongShape.exitCode).toBe(2);
    expect(wrongShape.stderr).toContain("`hooks.Stop` that is not a list");
  });

  it("installs a command that works: run as Claude Code would, it turns the phrase into a request", async () => {
    const dir = await freshRepo();
    expect((await cliIn(dir, ["init", "--claude-code"])).exitCode).toBe(0);
    const settings = JSON.parse(await readFile(path.join(dir, ".claude", "settings.json"), "utf8"));
    const command: string = settings.hooks.UserPromptSubmit[0].hooks[0].command;
    const [npx, bin, ...args] = command.split(" ");
    expect([npx, bin]).toEqual(["npx", "codex-relay"]);
    const input = JSON.stringify({ session_id: "s-1", transcript_path: "/t.jsonl", cwd: dir, hook_event_name: "UserPromptSubmit", prompt: "DELEGATE TO CODEX: login loops" });
    const run = await cliIn(dir, args, input);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout).hookSpecificOutput.additionalContext).toContain("is now Codex delegation request");
    expect((await readdir(layoutFor(dir).inbox)).filter((n) => n.startsWith("CODEX_DELEGATION_REQUEST_"))).toHaveLength(1);
  });
});

describe("init --claude-code where codex-relay is installed in the workspace", () => {
  const LOCAL = '"${CLAUDE_PROJECT_DIR:-.}"/node_modules/.bin/codex-relay';

  async function installedRepo(): Promise<string> {
    const dir = await freshRepo();
    await mkdir(path.join(dir, "node_modules", ".bin"), { recursive: true });
    await symlink(CLI, path.join(dir, "node_modules", ".bin", "codex-relay")); // what `npm install codex-relay` links
    return dir;
  }

  it("runs the installed binary, not npx, and the command works through a shell from a subdirectory", async () => {
    const dir = await installedRepo();
    const run = await cliIn(dir, ["init", "--claude-code"]);
    expect(run.stdout).toContain(`added the UserPromptSubmit hook \`${LOCAL} hook claude-code\``);
    const settings = JSON.parse(await readFile(path.join(dir, ".claude", "settings.json"), "utf8"));
    const command: string = settings.hooks.UserPromptSubmit[0].hooks[0].command;
    expect(settings.hooks.Stop[0].hooks[0].command).toBe(`${LOCAL} hook claude-code --event stop`);

    // as Claude Code runs it: `sh -c <command>`, CLAUDE_PROJECT_DIR set, the session's cwd anywhere below
    const sub = path.join(dir, "packages", "api");
    await mkdir(sub, { recursive: true });
    const input = JSON.stringify({ session_id: "s-2", transcript_path: "/t.jsonl", cwd: sub, hook_event_name: "UserPromptSubmit", prompt: "DELEGATE TO CODEX: the upload stalls at 99%" });
    const hook = await execa("sh", ["-c", command], {
      cwd: sub,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, CLAUDE_PROJECT_DIR: dir },
      extendEnv: false,
      reject: false,
      input,
    });
    expect(hook.exitCode).toBe(0);
    expect(JSON.parse(hook.stdout).hookSpecificOutput.additionalContext).toContain("is now Codex delegation request");
    expect((await readdir(layoutFor(dir).inbox)).filter((n) => n.startsWith("CODEX_DELEGATION_REQUEST_"))).toHaveLength(1);
  });

  it("rewrites the npx hooks an earlier init installed, in place, instead of adding a second pair", async () => {
    const dir = await freshRepo();
    expect((await cliIn(dir, ["init", "--claude-code"])).exitCode).toBe(0); // before codex-relay was installed
    const file = path.join(dir, ".claude", "settings.json");
    const before = JSON.parse(await readFile(file, "utf8"));
    before.hooks.Stop[0].hooks[0].timeout = 15; // the user's own tuning stays
    await writeFile(file, JSON.stringify(before));
    await mkdir(path.join(dir, "node_modules", ".bin"), { recursive: true });
    await symlink(CLI, path.join(dir, "node_modules", ".bin", "codex-relay"));

    const run = await cliIn(dir, ["init", "--claude-code"]);
    expect(run.stdout).toContain(`updated the UserPromptSubmit hook \`${LOCAL} hook claude-code\` in .claude/settings.json`);
    expect(run.stdout).toContain(`updated the Stop hook \`${LOCAL} hook claude-code --event stop\``);
    expect(JSON.parse(await readFile(file, "utf8")).hooks).toEqual({
      UserPromptSubmit: [{ hooks: [{ type: "command", command: `${LOCAL} hook claude-code` }] }],
      Stop: [{ hooks: [{ type: "command", command: `${LOCAL} hook claude-code --event stop`, timeout: 15 }] }],
    });
    expect((await cliIn(dir, ["init", "--claude-code"])).stdout).toContain("already set up; nothing changed");
  });
});

describe("init --cursor", () => {
  it("writes .cursor/hooks.json (version 1) next to existing hooks, idempotently", async () => {
    const dir = await freshRepo();
    const file = path.join(dir, ".cursor", "hooks.json");
    await mkdir(path.dirname(file));
    await writeFile(file, JSON.stringify({ version: 1, hooks: { afterFileEdit: [{ command: "./format.sh" }] } }));
    const first = await cliIn(dir, ["init", "--cursor"]);
    expect(first.exitCode).toBe(0);
    const text = await readFile(file, "utf8");
    expect(JSON.parse(text)).toEqual({
      version: 1,
      hooks: {
        afterFileEdit: [{ command: "./format.sh" }],
        beforeSubmitPrompt: [{ command: "npx codex-relay hook cursor" }],
        stop: [{ command: "npx codex-relay hook cursor --event stop" }],
      },
    });
    expect((await cliIn(dir, ["init", "--cursor"])).stdout).toContain("already set up; nothing changed");
    expect(await readFile(file, "utf8")).toBe(text);
    expect(existsSync(path.join(dir, ".claude"))).toBe(false);
  });
});
