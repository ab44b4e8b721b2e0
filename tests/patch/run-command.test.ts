import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, test } from "vitest";
import { runCommand, verificationEnv } from "../../src/patch/run-command.js";
import { testdir } from "../helpers/testdir.js";

let dir: string;
beforeEach(async () => {
  dir = await testdir({}, { prefix: "relay-run-command-" });
});

const env = verificationEnv(process.env, []);

function node(script: string, options: { timeoutMs?: number; maxOutputBytes?: number; signal?: AbortSignal; env?: Record<string, string> } = {}) {
  return runCommand({
    command: "node -e …",
    argv: [process.execPath, "-e", script],
    cwd: dir,
    env: options.env ?? env,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxOutputBytes: options.maxOutputBytes,
    signal: options.signal,
  });
}

// Gone, or a zombie nobody reaps (a container's init may not): either way it cannot act any more.
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Whether the process is gone within a few seconds (SIGKILL is delivered, not awaited). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  return !alive(pid);
}

const marker = () => path.join(dir, "marker");
const pidFile = () => path.join(dir, "grandchild.pid");

// A grandchild in the command's process group that records its pid, then writes the marker 3 s later.
function grandchildScript(stdio: "ignore" | "inherit" = "ignore"): string {
  const inner = `setTimeout(() => require("fs").writeFileSync(${JSON.stringify(marker())}, "late"), 3000)`;
  return `const c = require("child_process").spawn(process.execPath, ["-e", ${JSON.stringify(inner)}], { stdio: "${stdio}" });
c.unref(); require("fs").writeFileSync(${JSON.stringify(pidFile())}, String(c.pid));`;
}

/** The grandchild is dead, and stays unable to write its marker past the time it would have. */
async function expectGrandchildGone(): Promise<void> {
  expect(await gone(Number(await readFile(pidFile(), "utf8")))).toBe(true);
  await sleep(3500);
  expect(existsSync(marker())).toBe(false);
}

describe("runCommand", () => {
  test("exit 0 passes, with stdout and stderr interleaved in the tail", async () => {
    const run = await node(`console.log("out one"); console.error("err two"); console.log("out three")`);
    expect(run.status).toBe("pass");
    expect(run.exitCode).toBe(0);
    expect(run.outputTail).toContain("out one");
    expect(run.outputTail).toContain("err two");
    expect(run.outputTail.indexOf("out one")).toBeLessThan(run.outputTail.indexOf("out three"));
    expect(run.argv).toEqual([process.execPath, "-e", expect.any(String)]);
    expect(run.command).toBe("node -e …");
  });

  test("a non-zero exit fails with its code", async () => {
    const run = await node(`console.error("1 test failed"); process.exit(3)`);
    expect(run.status).toBe("fail");
    expect(run.exitCode).toBe(3);
    expect(run.outputTail).toContain("1 test failed");
  });

  test("a missing program is an error run that says so, not a throw", async () => {
    const run = await runCommand({ command: "no-such-tool-xyz --x", argv: ["no-such-tool-xyz", "--x"], cwd: dir, env, timeoutMs: 10_000 });
    expect(run.status).toBe("error");
    expect(run.exitCode).toBeNull();
    expect(run.outputTail).toContain("command not found: no-such-tool-xyz");
  });

  test("a missing working directory is an error run naming it", async () => {
    const missing = path.join(dir, "gone");
    const run = await runCommand({ command: "node -v", argv: [process.execPath, "-v"], cwd: missing, env, timeoutMs: 10_000 });
    expect(run.status).toBe("error");
    expect(run.outputTail).toContain(`working directory not found: ${missing}`);
  });

  test("on timeout the whole process group is killed: a grandchild never writes its file", async () => {
    const script = `${grandchildScript()}; console.log("started"); setInterval(() => {}, 1000);`;
    const run = await node(script, { timeoutMs: 1000 });
    expect(run.status).toBe("timeout");
    expect(run.exitCode).toBeNull();
    expect(run.outputTail).toContain("started");
    expect(run.outputTail).toContain("timed out after 1 s");
    await expectGrandchildGone();
  });

  test("a command that ignores SIGTERM is killed anyway", async () => {
    const run = await node(`process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("ready"); setInterval(() => {}, 1000);`, {
      timeoutMs: 1000,
    });
    expect(run.status).toBe("timeout");
    expect(run.outputTail).toContain("ready");
  });

  test("children left behind by a passing command are killed, even when they hold its output", async () => {
    // This grandchild inherits stdout, so the pipe stays open after the command exits.
    const run = await node(`${grandchildScript("inherit")}; console.log("done");`);
    expect(run.status).toBe("pass");
    expect(run.outputTail).toContain("done");
    await expectGrandchildGone();
  });

  test("aborting kills the group and returns a cancelled error run", async () => {
    const controller = new AbortController();
    const running = node(`${grandchildScript()}; setInterval(() => {}, 1000);`, { signal: controller.signal });
    while (!existsSync(pidFile())) await sleep(50);
    controller.abort("cancelled");
    const run = await running;
    expect(run.status).toBe("error");
    expect(run.outputTail).toContain("cancelled");
    await expectGrandchildGone();
  });

  test("huge output keeps only the last bytes, with a marker counting the rest", async () => {
    // 50 MB in 1 MB writes, then a last line that must survive.
    const script = `const chunk = "x".repeat(1 << 20); let n = 0;
function write() { while (n < 50) { n++; if (!process.stdout.write(chunk)) return process.stdout.once("drain", write); } process.stdout.write("\\nLAST LINE\\n"); }
write();`;
    const run = await node(script, { maxOutputBytes: 4000 });
    expect(run.status).toBe("pass");
    expect(run.outputTail.endsWith("LAST LINE\n")).toBe(true);
    const omitted = /^\[… (\d+) earlier bytes omitted …\]\n/.exec(run.outputTail);
    expect(omitted).not.toBeNull();
    expect(Number(omitted![1]) + 4000).toBe(50 * (1 << 20) + "\nLAST LINE\n".length);
    expect(Buffer.byteLength(run.outputTail.slice(omitted![0].length))).toBe(4000);
  });

  test("the tail never starts inside a UTF-8 character", async () => {
    const run = await node(`process.stdout.write("é".repeat(5000))`, { maxOutputBytes: 1001 });
    const body = run.outputTail.replace(/^\[… \d+ earlier bytes omitted …\]\n/, "");
    expect(body).toBe("é".repeat(500));
  });

  test("the tail is redacted", async () => {
    const run = await runCommand({
      command: "node -e …",
      argv: [process.execPath, "-e", `console.log("token=hunter2-secret")`],
      cwd: dir,
      env,
      timeoutMs: 10_000,
      redact: (text) => text.replaceAll("hunter2-secret", "[REDACTED]"),
    });
    expect(run.outputTail).toBe("token=[REDACTED]\n");
  });

  test("the command sees only the environment it is given", async () => {
    const childEnv = verificationEnv({ ...process.env, OPENAI_API_KEY: "sk-should-not-leak", MY_FLAG: "on" }, ["MY_FLAG"]);
    const run = await node(`console.log(JSON.stringify(process.env))`, { env: childEnv });
    const seen = JSON.parse(run.outputTail) as Record<string, string>;
    expect(seen.OPENAI_API_KEY).toBeUndefined();
    expect(seen.MY_FLAG).toBe("on");
    expect(seen.CI).toBe("1");
    expect(seen.TERM).toBe("dumb");
    expect(seen.PATH).toBe(process.env.PATH);
  });
});

describe("verificationEnv", () => {
  const parent = {
    PATH: "/usr/bin",
    HOME: "/home/u",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    TMPDIR: "/tmp",
    TERM: "xterm-256color",
    HTTPS_PROXY: "http://proxy:3128",
    NODE_EXTRA_CA_CERTS: "/etc/ca.pem",
    OPENAI_API_KEY: "sk-x",
    CODEX_API_KEY: "c-x",
    AZURE_OPENAI_API_KEY: "a-x",
    NODE_OPTIONS: "--require evil.js",
    GITHUB_TOKEN: "ghp_x",
    DATABASE_URL: "postgres://db",
    NPM_CONFIG_REGISTRY: "https://r.example",
    UNSET: undefined,
  };

  test("keeps what tools need, drops credentials and NODE_OPTIONS, forces CI and a dumb terminal", () => {
    expect(verificationEnv(parent, [])).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/u",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      TMPDIR: "/tmp",
      HTTPS_PROXY: "http://proxy:3128",
      NODE_EXTRA_CA_CERTS: "/etc/ca.pem",
      TERM: "dumb",
      NO_COLOR: "1",
      CI: "1",
    });
  });

  test("listed names and prefixes are added, even a provider key when asked for", () => {
    const env = verificationEnv(parent, ["DATABASE_URL", "NPM_CONFIG_*", "OPENAI_API_KEY", "UNSET"]);
    expect(env.DATABASE_URL).toBe("postgres://db");
    expect(env.NPM_CONFIG_REGISTRY).toBe("https://r.example");
    expect(env.OPENAI_API_KEY).toBe("sk-x");
    expect("UNSET" in env).toBe(false);
    expect(env.GITHUB_TOKEN).toBeUndefined();
  });

  test("a bare * copies nothing extra", () => {
    const env = verificationEnv(parent, ["*"]);
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.OPENAI_API_KEY).toBeUndefined();
  });
});
