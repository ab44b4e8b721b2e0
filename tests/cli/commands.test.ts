// The small commands through the built CLI, as a user types them: status, show, wait, cancel,
// approve, init, doctor, and the top-level flags. Where a daemon is needed it is a real
// `codex-relay start` child process driving the real codex binary against the scripted model.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { layoutFor } from "../../src/protocol/layout.js";
import { diagnosisReportName } from "../../src/report/diagnosis-report.js";
import { microReportName } from "../../src/report/micro-report.js";
import { PACKAGE_TEMPLATES } from "../../src/report/templates.js";
import { jsonMessage } from "../fixtures/model-server.js";
import {
  analysisReply,
  CLI,
  groupMembers,
  killCodexGroups,
  logEvents,
  makeTestWorkspace,
  startDaemonProcess,
  until,
  type DaemonProcess,
  type TestWorkspace,
} from "../helpers/relay-workspace.js";
import { gitdir } from "../helpers/gitdir.js";
import { TESTED_CODEX } from "../../src/codex/tested-range.js";

let ws: TestWorkspace | undefined;
const daemons: DaemonProcess[] = [];

afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.kill();
  if (ws) {
    killCodexGroups(ws.layout);
    await ws.cleanup();
    ws = undefined;
  }
});

async function workspace(options: Parameters<typeof makeTestWorkspace>[0] = {}): Promise<TestWorkspace> {
  ws = await makeTestWorkspace(options);
  return ws;
}

async function startDaemon(w: TestWorkspace): Promise<DaemonProcess> {
  const daemon = await startDaemonProcess(w);
  daemons.push(daemon);
  return daemon;
}

/** A request published by `codex-relay delegate` (no --wait); returns its id. */
async function delegate(w: TestWorkspace, issue: string): Promise<string> {
  const run = await w.cli(["delegate", "--issue", issue]);
  expect(run.exitCode).toBe(0);
  return run.stdout.trim();
}

/** A request answered inline by `delegate --wait` with the given model reply; returns its id. */
async function answered(w: TestWorkspace, issue: string, reply = jsonMessage(analysisReply())): Promise<string> {
  w.server.enqueue(reply);
  const run = await w.cli(["delegate", "--wait", "--json", "--issue", issue]);
  return JSON.parse(run.stdout).id as string;
}

async function readResultJson(w: TestWorkspace, id: string): Promise<any> {
  return JSON.parse(await readFile(w.layout.result(id, "json"), "utf8"));
}

/** A fresh git repository with one commit, outside any test workspace. */
async function freshRepo(): Promise<string> {
  return gitdir({ prefix: "codex-relay-init-", commit: false });
}

/** git in `dir`, its output trimmed, with no user or system config (a global excludes file would hide files). */
function git(dir: string, ...args: string[]): string {
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, GIT_CONFIG_NOSYSTEM: "1" };
  return execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8", env }).trim();
}

/** The built CLI run in `cwd` with a user's minimal environment. */
function cliIn(cwd: string, args: string[]) {
  return execa(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd },
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    timeout: 60_000,
  });
}

describe("status", () => {
  it("lists every request newest first with its state, as text and as JSON", async () => {
    const w = await workspace();
    const empty = await w.cli(["status"]);
    expect(empty.exitCode).toBe(0);
    expect(empty.stdout).toContain("no requests in");

    const done = await answered(w, "answered already");
    const waiting = await delegate(w, "nobody serves this yet");
    const text = await w.cli(["status"]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout.trim().split("\n")).toEqual([
      `${waiting}  waiting for a daemon (\`codex-relay start\`, or \`codex-relay run\` it)`,
      `${done}  done: completed`,
    ]);

    const json = await w.cli(["status", "--json"]);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      { id: waiting, state: "waiting for a daemon (`codex-relay start`, or `codex-relay run` it)" },
      { id: done, state: "done: completed" },
    ]);
  });

  // BUG (fails today): request-state.ts takes any daemon.lock for a live daemon, so after a crash
  // `status` says "queued" for a request nobody will run until the next `codex-relay start`.
  it("says a request waits for a daemon when the daemon that left the lock behind is dead", async () => {
    const w = await workspace();
    const daemon = await startDaemon(w);
    await daemon.stop("SIGKILL");
    expect(existsSync(w.layout.lockFile)).toBe(true);
    const id = await delegate(w, "nobody serves this");
    const status = await w.cli(["status"]);
    expect(status.stdout.trim()).toBe(`${id}  waiting for a daemon (\`codex-relay start\`, or \`codex-relay run\` it)`);
  });
});

describe("show", () => {
  it("prints the RESULT Markdown or JSON, the state of a request without one, and rejects a bad id", async () => {
    const w = await workspace();
    const done = await answered(w, "show me");
    const failed = await answered(w, "a reply that is not JSON", { kind: "message", text: "just prose" });
    const waiting = await delegate(w, "not answered");

    const md = await w.cli(["show", done]);
    expect(md.exitCode).toBe(0);
    expect(md.stdout).toBe((await readFile(w.layout.result(done, "md"), "utf8")).trimEnd()); // execa strips the last newline
    expect(md.stdout).toContain("## Root Cause Analysis");
    const json = await w.cli(["show", done, "--json"]);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(await readResultJson(w, done));
    // a file name works as well as the bare id
    expect((await w.cli(["show", `CODEX_DELEGATION_RESULT_${done}.json`, "--json"])).stdout).toBe(json.stdout);

    const bad = await w.cli(["show", failed, "--json"]);
    expect(bad.exitCode).toBe(1);
    expect(JSON.parse(bad.stdout).status).toBe("failed");

    const pending = await w.cli(["show", waiting]);
    expect(pending.exitCode).toBe(0);
    expect(pending.stdout.trim()).toBe(`${waiting}: waiting for a daemon (\`codex-relay start\`, or \`codex-relay run\` it)`);
    const pendingJson = await w.cli(["show", waiting, "--json"]);
    expect(JSON.parse(pendingJson.stdout)).toEqual({ id: waiting, state: "waiting for a daemon (`codex-relay start`, or `codex-relay run` it)" });

    const unknown = await w.cli(["show", "20000101_000000"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain("no request 20000101_000000");

    const notAnId = await w.cli(["show", "yesterday"]);
    expect(notAnId.exitCode).toBe(2);
    expect(notAnId.stderr).toContain("`yesterday` is not a request id");
    expect(notAnId.stdout).toBe("");
  });
});

describe("an archived request", () => {
  it("show and wait find a RESULT that retention moved to archive/YYYY-MM/", async () => {
    const w = await workspace();
    const id = await answered(w, "archived later");
    const month = path.dirname(w.layout.archivedResult(id, "json"));
    await mkdir(month, { recursive: true });
    for (const file of [w.layout.request(id), w.layout.result(id, "md"), w.layout.result(id, "json")]) await rename(file, path.join(month, path.basename(file)));
    expect(existsSync(w.layout.result(id, "json"))).toBe(false);
    const show = await w.cli(["show", id]);
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toBe((await readFile(w.layout.archivedResult(id, "md"), "utf8")).trimEnd());
    const wait = await w.cli(["wait", id, "--json"]);
    expect(wait.exitCode).toBe(0);
    expect(JSON.parse(wait.stdout)).toMatchObject({ id, status: "completed" });
  });
});

describe("wait", () => {
  it("exits 124 when no RESULT comes within --timeout", async () => {
    const w = await workspace();
    const id = await delegate(w, "nobody will answer");
    const run = await w.cli(["wait", id, "--timeout", "1"], { timeoutMs: 20_000 });
    expect(run.timedOut).toBe(false);
    expect(run.exitCode).toBe(124);
    expect(run.stderr).toContain(`no RESULT for ${id} yet`);
    expect(existsSync(w.layout.result(id, "json"))).toBe(false);
  });

  it("prints the RESULT a daemon writes and exits 0", async () => {
    const w = await workspace();
    const id = await delegate(w, "a daemon will answer");
    w.server.setDefault(jsonMessage(analysisReply()));
    const waiting = w.cli(["wait", id]); // started before the daemon: it has to wait
    await startDaemon(w);
    const run = await waiting;
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe((await readFile(w.layout.result(id, "md"), "utf8")).trimEnd());
    expect(run.stdout).toContain("Move the limiter decorator");
    expect((await readResultJson(w, id)).status).toBe("completed");
  });
});

describe("cancel", () => {
  it("stops a running request: a cancelled RESULT and no Codex left", async () => {
    const w = await workspace();
    w.server.setDefault({ kind: "hang" });
    await startDaemon(w);
    const id = await delegate(w, "this will be cancelled");
    await until(() => logEvents(w.layout).some((e) => e.event === "codex started" && e.id === id), '"codex started"');
    const codexPid = logEvents(w.layout).find((e) => e.event === "codex started" && e.id === id)!.pid as number;
    await w.server.waitForRequests(1);

    const run = await w.cli(["cancel", id]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe(`cancel requested for ${id}`);
    await until(() => existsSync(w.layout.result(id, "json")), "the cancelled RESULT");
    const result = await readResultJson(w, id);
    expect(result.status).toBe("cancelled");
    expect(result.error.code).toBe("cancelled");
    await until(() => groupMembers(codexPid).length === 0, "the Codex process group to be gone", 5_000);
    expect((await w.cli(["status"])).stdout).toContain(`${id}  done: cancelled`);
  });

  it("rejects a bad id with exit 2", async () => {
    const w = await workspace();
    const run = await w.cli(["cancel", "../../etc/passwd"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("is not a request id");
  });
});

describe("approve", () => {
  it("with approval.required, a request waits for `codex-relay approve` before Codex runs", async () => {
    const w = await workspace({ toml: "\n[approval]\nrequired = true\n" });
    w.server.setDefault(jsonMessage(analysisReply()));
    await startDaemon(w);
    const id = await delegate(w, "needs a human yes");
    await until(() => logEvents(w.layout).some((e) => e.event === "awaiting approval" && e.id === id), '"awaiting approval"');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // let a sweep (every second) pass over it
    expect(w.server.requests).toHaveLength(0);
    expect(existsSync(w.layout.result(id, "json"))).toBe(false);
    expect(existsSync(w.layout.claim(id))).toBe(false);
    expect((await w.cli(["show", id])).stdout.trim()).toBe(`${id}: queued (or awaiting \`codex-relay approve\` when approval is required)`);

    const run = await w.cli(["approve", id]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe(`approved ${id}`);
    await until(() => existsSync(w.layout.result(id, "json")), "the RESULT after approval");
    expect((await readResultJson(w, id)).status).toBe("completed");
    expect(w.server.requests[0]!.text).toContain("needs a human yes");
  });

  it("a request held for approval can be cancelled instead, without Codex running", async () => {
    const w = await workspace({ toml: "\n[approval]\nrequired = true\n" });
    await startDaemon(w);
    const id = await delegate(w, "we changed our minds");
    await until(() => logEvents(w.layout).some((e) => e.event === "awaiting approval" && e.id === id), '"awaiting approval"');
    expect((await w.cli(["cancel", id])).exitCode).toBe(0);
    await until(() => existsSync(w.layout.result(id, "json")), "the cancelled RESULT");
    const result = await readResultJson(w, id);
    expect(result.status).toBe("cancelled");
    expect(result.error.code).toBe("cancelled");
    expect(w.server.requests).toHaveLength(0);
  });
});

describe("init", () => {
  const files = ["codex-relay.toml", "CLAUDE.md", ".cursor/rules/codex-relay.mdc", ".gitignore"];
  const snapshot = async (dir: string) => Promise.all(files.map((f) => readFile(path.join(dir, f))));

  it("sets up a fresh repository, and a second run changes nothing", async () => {
    const dir = await freshRepo();
    const first = await cliIn(dir, ["init"]);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain("created codex-relay.toml");
    const layout = layoutFor(dir);
    for (const folder of [layout.inbox, layout.progress, layout.out, layout.tmp]) expect(existsSync(folder)).toBe(true);
    expect(await readFile(layout.configFile, "utf8")).toBe(await readFile(path.join(PACKAGE_TEMPLATES, "codex-relay.toml"), "utf8"));
    const section = (await readFile(path.join(PACKAGE_TEMPLATES, "agents-section.md"), "utf8")).trim();
    for (const name of ["CLAUDE.md", ".cursor/rules/codex-relay.mdc"]) {
      const text = await readFile(path.join(dir, name), "utf8");
      expect(text).toContain("<!-- codex-relay:begin");
      expect(text).toContain(section);
      expect(text).toContain("<!-- codex-relay:end -->");
    }
    expect(await readFile(path.join(dir, ".cursor/rules/codex-relay.mdc"), "utf8")).toMatch(/^---\ndescription: .*\nalwaysApply: true\n---\n\n<!-- codex-relay:begin/);
    expect(existsSync(path.join(dir, "AGENTS.md"))).toBe(false); // Codex reads AGENTS.md on every relay run
    expect((await readFile(path.join(dir, ".gitignore"), "utf8")).split("\n")).toEqual(expect.arrayContaining(["/.autonomous_runs/", "/progress/ledger.jsonl", "/out/digest-*.md"]));

    const before = await snapshot(dir);
    const second = await cliIn(dir, ["init"]);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain("already set up; nothing changed");
    expect(await snapshot(dir)).toEqual(before);

    // the config it wrote is one `doctor` accepts
    const doctor = JSON.parse((await cliIn(dir, ["doctor", "--json"])).stdout) as { name: string; ok: boolean }[];
    expect(doctor.find((c) => c.name === "config")).toMatchObject({ ok: true });
  });

  it("puts no byte of the Builder section in what reaches the model on a relay run", async () => {
    const w = await workspace();
    expect((await w.cli(["init"])).exitCode).toBe(0);
    const section = (await readFile(path.join(PACKAGE_TEMPLATES, "agents-section.md"), "utf8")).trim();
    await answered(w, "why?");
    expect(w.server.requests.length).toBeGreaterThan(0);
    const seen = w.server.requests.map((r) => r.raw).join("\n");
    const lines = section.split("\n").filter((line) => line.trim().length > 20);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.filter((line) => seen.includes(JSON.stringify(line).slice(1, -1)))).toEqual([]);
  });

  it("keeps what the user wrote in CLAUDE.md, AGENTS.md and .gitignore, and takes an earlier init's section out of AGENTS.md", async () => {
    const dir = await freshRepo();
    await writeFile(path.join(dir, "CLAUDE.md"), "# Our agents\n\nAlways run the tests.\n");
    const earlier = "<!-- codex-relay:begin (managed by `codex-relay init`; edits inside are replaced) -->\nold text\n<!-- codex-relay:end -->\n";
    await writeFile(path.join(dir, "AGENTS.md"), `# Team\n\nUse tabs.\n\n${earlier}\n## More\n`);
    await writeFile(path.join(dir, ".gitignore"), "node_modules");
    const run = await cliIn(dir, ["init"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("removed the codex-relay section from AGENTS.md");
    expect(await readFile(path.join(dir, "AGENTS.md"), "utf8")).toBe("# Team\n\nUse tabs.\n\n## More\n");
    const claude = await readFile(path.join(dir, "CLAUDE.md"), "utf8");
    expect(claude.startsWith("# Our agents\n\nAlways run the tests.\n")).toBe(true);
    expect(claude).toContain("<!-- codex-relay:end -->");
    const ignore = await readFile(path.join(dir, ".gitignore"), "utf8");
    expect(ignore).toMatch(/^node_modules\n\n# codex-relay:begin .*\n# What codex-relay writes.*\n\/\.autonomous_runs\/\n[^]*# codex-relay:end\n$/);

    const before = await snapshot(dir);
    expect((await cliIn(dir, ["init"])).exitCode).toBe(0);
    expect(await snapshot(dir)).toEqual(before);
  });

  it("keeps everything the relay writes out of `git status`, but not the Builder's task files, and honours exceptions written below its rules", async () => {
    const dir = await freshRepo();
    await writeFile(path.join(dir, ".gitignore"), "node_modules/\n.autonomous_runs/.relay/\n"); // an earlier init's one rule
    const first = await cliIn(dir, ["init"]);
    expect(first.stdout).toContain("added the codex-relay rules to .gitignore (/.autonomous_runs/ /out/codex-diagnosis-*.md");
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "codex-relay init");
    const layout = layoutFor(dir);
    const at = new Date("2026-12-02T19:46:41Z");
    const id = "20261202_194641";
    // One of each file the relay writes, named as the relay names them.
    const written = [
      layout.request(id), layout.result(id, "md"), layout.result(id, "json"), layout.log(id), layout.logFile, layout.claim(id),
      path.join(layout.out, diagnosisReportName(at)),
      path.join(layout.out, `codex-patch-FAILED-20261202-194642.md`), path.join(layout.out, `codex-patch-FAILED-20261202-194642.patch`),
      path.join(layout.out, microReportName(id)), layout.failurePatterns, layout.ledger,
    ];
    for (const file of written) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, "x\n");
    }
    await writeFile(layout.taskPacket, "# Fix add()\n");
    await writeFile(layout.routeDecision, "---\npermission: codex-rw\n---\n");
    await writeFile(path.join(layout.out, "build.log"), "the user's own file\n");
    expect(git(dir, "status", "--porcelain", "--untracked-files=all").split("\n").sort()).toEqual(["?? out/build.log", "?? progress/ROUTE_DECISION.md", "?? progress/TASK_PACKET.md"]);

    // A user who wants the patch reports in their history says so below the block; init keeps it.
    await writeFile(path.join(dir, ".gitignore"), `${await readFile(path.join(dir, ".gitignore"), "utf8")}!/out/codex-patch-*.md\n`);
    expect((await cliIn(dir, ["init"])).stdout).toContain("already set up; nothing changed");
    expect(git(dir, "status", "--porcelain", "--untracked-files=all")).toContain("?? out/codex-patch-FAILED-20261202-194642.md");
  });

  it("run in a subfolder of a repository, sets up the repository root", async () => {
    const dir = await freshRepo();
    const sub = path.join(dir, "packages", "app");
    await mkdir(sub, { recursive: true });
    expect((await cliIn(sub, ["init"])).exitCode).toBe(0);
    expect(existsSync(path.join(dir, "codex-relay.toml"))).toBe(true);
    expect(existsSync(layoutFor(dir).inbox)).toBe(true);
    expect(existsSync(path.join(sub, "codex-relay.toml"))).toBe(false);
  });

  it("--templates copies the templates, and an edited result template shapes the next RESULT", async () => {
    const w = await workspace();
    const run = await w.cli(["init", "--templates"]);
    expect(run.exitCode).toBe(0);
    for (const name of ["analysis-prompt.md", "result.md"]) {
      expect(await readFile(path.join(w.dir, "templates", `codex-relay-${name}`), "utf8")).toBe(
        await readFile(path.join(PACKAGE_TEMPLATES, name), "utf8"),
      );
    }
    await writeFile(
      path.join(w.dir, "templates", "codex-relay-result.md"),
      "# Our team's result {{id}}\n\nStatus: {{status}}\n{{#analysis}}Cause: {{root_cause}}\n{{/analysis}}",
    );
    const id = await answered(w, "with our own template");
    const md = await readFile(w.layout.result(id, "md"), "utf8");
    expect(md).toBe(`# Our team's result ${id}\n\nStatus: completed\nCause: ${analysisReply().root_cause}\n`);
    expect((await w.cli(["show", id])).stdout).toBe(md.trimEnd());
  });
});

describe("doctor", () => {
  it("passes every check in a configured workspace", async () => {
    const w = await workspace();
    const run = await w.cli(["doctor"]);
    expect(run.stdout).not.toContain("FAIL");
    expect(run.exitCode).toBe(0);
    for (const name of ["config", "codex", "login", "gateway", "git", "folders", "sandbox", "daemon"]) {
      expect(run.stdout).toMatch(new RegExp(`^ok +${name} `, "m"));
    }
    expect(run.stdout).toContain(`codex ${TESTED_CODEX.high}`);
    expect(run.stdout).not.toMatch(/^warn/m);
    expect(run.stdout).toMatch(/^ok +gateway +model calls go through the local gateway to http:\/\/127\.0\.0\.1:\d+\/v1/m);
  });

  it("fails with exit 1 and names the fix when codex is missing", async () => {
    const w = await workspace({ codexBin: "/nonexistent/codex" });
    const run = await w.cli(["doctor"]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^FAIL codex .*\/nonexistent\/codex/m);
    expect(run.stdout).toContain("fix: Install Codex into this repository with `npm install -D @openai/codex`");
  });

  it("fails when the provider's key variable is not set, naming it", async () => {
    const w = await workspace();
    const run = await w.cli(["doctor"], { env: { MOCK_MODEL_KEY: "" } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^FAIL login .*MOCK_MODEL_KEY/m);
    expect(run.stdout).toContain("fix: export MOCK_MODEL_KEY=");
  });
});

describe("top-level flags", () => {
  it("--help lists the commands, --version prints the package version, an unknown command exits 2", async () => {
    const dir = await freshRepo();
    const help = await cliIn(dir, ["--help"]);
    expect(help.exitCode).toBe(0);
    for (const name of ["init", "start", "delegate", "run", "status", "show", "wait", "cancel", "approve", "doctor"]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    }
    const commandHelp = await cliIn(dir, ["wait", "--help"]);
    expect(commandHelp.exitCode).toBe(0);
    expect(commandHelp.stdout).toContain("Usage: codex-relay wait <id>");

    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const version = await cliIn(dir, ["--version"]);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toBe(`codex-relay ${pkg.version}`);

    const unknown = await cliIn(dir, ["frobnicate"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("unknown command `frobnicate`");
    const badFlag = await cliIn(dir, ["status", "--bogus"]);
    expect(badFlag.exitCode).toBe(2);
    expect(badFlag.stderr).toContain("unknown flag --bogus");
  });
});
