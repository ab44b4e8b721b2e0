// A real temporary git repository set up as a codex-relay workspace whose Codex talks to the
// scripted model server, plus ways to drive it: the built CLI as a child process, or a Daemon
// in this process.
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { createLogger } from "../../src/context/logger.js";
import { createRelayContext, type RelayContext } from "../../src/context/relay-context.js";
import { afterEach } from "vitest";
import { layoutFor, type Layout } from "../../src/protocol/layout.js";
import { codexBinary, makeCodexHome, MOCK_API_KEY, MOCK_ENV_KEY } from "../fixtures/codex-home.js";
import { startModelServer, type ModelServer } from "../fixtures/model-server.js";
import { gitdir } from "./gitdir.js";
import { testdir } from "./testdir.js";

export const CLI = fileURLToPath(new URL("../../dist/cli/bin.js", import.meta.url));

export interface TestWorkspace {
  readonly dir: string;
  readonly layout: Layout;
  readonly server: ModelServer;
  /** The environment a user's shell would have: PATH, HOME, CODEX_HOME, the provider key. */
  readonly env: Record<string, string>;
  cli(args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): Promise<{ exitCode?: number; stdout: string; stderr: string; timedOut: boolean }>;
  cleanup(): Promise<void>;
}

export interface WorkspaceOptions {
  /** Extra TOML appended to the generated codex-relay.toml (sections may repeat keys only once). */
  readonly toml?: string;
  readonly daemon?: string;
  readonly watchdog?: string;
  readonly git?: boolean;
  /** `codex.bin` in the config; default: the native binary in node_modules. */
  readonly codexBin?: string;
  /** false: no provider override, so Codex uses its built-in OpenAI provider and needs a login. */
  readonly mockProvider?: boolean;
}

export async function makeTestWorkspace(options: WorkspaceOptions = {}): Promise<TestWorkspace> {
  const prefix = "codex-relay-ws-";
  const dir = options.git === false ? await testdir({}, { prefix }) : await gitdir({ prefix, files: { "README.md": "# test repo\n" }, commit: "init" });
  const home = await testdir({}, { prefix: "codex-relay-userhome-" });
  const codexHome = await makeCodexHome();
  const server = await startModelServer();
  await writeFile(path.join(dir, "codex-relay.toml"), workspaceToml(server, options));
  await mkdir(layoutFor(dir).inbox, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    CODEX_HOME: codexHome.dir,
    [MOCK_ENV_KEY]: MOCK_API_KEY,
  };
  return {
    dir,
    layout: layoutFor(dir),
    server,
    env,
    cli: (args, cliOptions = {}) =>
      execa(process.execPath, [CLI, ...args], {
        cwd: dir,
        env: { ...env, ...cliOptions.env },
        extendEnv: false,
        reject: false,
        stdin: "ignore",
        timeout: cliOptions.timeoutMs ?? 60_000,
      }),
    cleanup: async () => {
      await server.close();
      await codexHome.cleanup();
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      await rm(home, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** The run context of `ws` as the daemon builds it, logging to the workspace's JSON log; `now`: an injected clock. */
export async function relayContext(ws: TestWorkspace, now?: () => Date): Promise<RelayContext> {
  return createRelayContext({ workspace: ws.dir, env: ws.env, now, logger: (redactor, layout) => createLogger({ file: layout.logFile, redactor }) });
}

function workspaceToml(server: ModelServer, options: WorkspaceOptions): string {
  return `
[codex]
bin = ${JSON.stringify(options.codexBin ?? codexBinary())}
model = "gpt-5.5"

${options.mockProvider === false ? "" : `[codex.config]
model_provider = "mock"
`}
[codex.config.features]
shell_snapshot = false
plugins = false
${options.mockProvider === false ? "" : `
${mockProviderTable(server)}`}
[daemon]
settle_ms = 300
sweep_cron = "* * * * * *"
heartbeat_s = 1
claim_stale_s = 5
shutdown_grace_s = 5
${options.daemon ?? ""}

[watchdog]
kill_grace_s = 1
${options.watchdog ?? "start_timeout_s = 30\nstall_timeout_s = 30\nwall_timeout_s = 60"}
${options.toml ?? ""}
`;
}

/** The `[codex.config.model_providers.mock]` table of codex-relay.toml that sends Codex to `server`. */
export function mockProviderTable(server: { url: string }): string {
  return `[codex.config.model_providers.mock]
name = "mock"
base_url = ${JSON.stringify(server.url)}
env_key = "${MOCK_ENV_KEY}"
wire_api = "responses"
supports_websockets = false
request_max_retries = 0
stream_max_retries = 0
`;
}

/** A valid analysis reply, as the model would give it under the output schema. */
/** The pids in process group `pgid` still alive (Codex and anything it started). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z" && Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

/** Lines of the daemon's JSON log. */
export function logEvents(layout: Layout): Record<string, unknown>[] {
  try {
    return readFileSync(layout.logFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

/** Poll until `check` is true; fails the test with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function analysisReply(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    root_cause: "The rate limiter decorator wraps the route before the request parameter exists.",
    technical_explanation: "slowapi inspects the signature at import time; the renamed parameter hides `request`.",
    recommended_fixes: [
      { priority: 1, title: "Move the limiter decorator", details: "Place @limiter.limit below @app.post.", files: ["src/main.py"], code: "@app.post('/runs/start')\n@limiter.limit('5/minute')" },
    ],
    code_examples: [{ file: "src/main.py", language: "python", code: "def start(request: Request, data: Body): ..." }],
    additional_investigation: ["Check middleware order"],
    confidence: "high",
    patch: null,
    ...overrides,
  };
}

/** `codex-relay start` as a user runs it: the built CLI as a child process in its own process group. */
export interface DaemonProcess {
  readonly pid: number;
  /** Settles when the daemon has ended, with its exit code (or signal) and what it printed. */
  readonly exited: Promise<{ exitCode?: number; signal?: string; stdout: string; stderr: string }>;
  /** Send `signal` to the daemon alone (not its group) and wait, at most `timeoutMs`, for it to end. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ exitCode?: number; signal?: string; stdout: string; stderr: string }>;
  /** SIGKILL the daemon if it still runs (for afterEach); idempotent. */
  kill(): Promise<void>;
}

/** Start a daemon on `ws` and wait for its "daemon started" log line; fails with its stderr if it exits first. */
export async function startDaemonProcess(ws: TestWorkspace, options: { timeoutMs?: number } = {}): Promise<DaemonProcess> {
  const startedLines = () => logEvents(ws.layout).filter((e) => e.event === "daemon started").length;
  const before = startedLines();
  const child = execa(process.execPath, [CLI, "start", "--workspace", ws.dir], {
    cwd: ws.dir,
    env: ws.env,
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    detached: true, // its own group, like a daemon started from a shell; Codex gets a group of its own
  });
  if (child.pid === undefined) throw new Error("codex-relay start did not spawn");
  const pid = child.pid;
  // The log file is shared by every daemon of the workspace; this line on its own stdout says
  // that THIS process got past start() (it is printed right after "daemon started" is logged).
  let printed = "";
  child.stdout?.on("data", (chunk: Buffer | string) => {
    printed += String(chunk);
  });
  const watching = () => printed.includes("codex-relay: watching ");
  let ended = false;
  const exited = child.then((r) => {
    ended = true;
    return { exitCode: r.exitCode, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
  });
  const daemon: DaemonProcess = {
    pid,
    exited,
    stop: async (signal = "SIGTERM", timeoutMs = 30_000) => {
      if (!ended) process.kill(pid, signal);
      await until(() => ended, `the daemon (pid ${pid}) to exit after ${signal}`, timeoutMs);
      return exited;
    },
    kill: async () => {
      if (ended) return;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // it ended between the check and the kill
      }
      await exited;
    },
  };
  try {
    await until(() => ended || (watching() && startedLines() > before), "the daemon to log \"daemon started\"", options.timeoutMs ?? 30_000);
  } catch (error) {
    await daemon.kill();
    throw error;
  }
  if (ended && !watching()) {
    const result = await exited;
    throw new Error(`codex-relay start exited (${result.exitCode ?? result.signal}) before it started: ${result.stderr}`);
  }
  return daemon;
}

/** SIGKILL every Codex process group named by a "codex started" log line that still has members; returns those pgids. */
export function killCodexGroups(layout: Layout): number[] {
  const alive: number[] = [];
  for (const event of logEvents(layout)) {
    if (event.event !== "codex started" || typeof event.pid !== "number") continue;
    if (groupMembers(event.pid).length === 0) continue;
    alive.push(event.pid);
    try {
      process.kill(-event.pid, "SIGKILL");
    } catch {
      // the group ended meanwhile
    }
  }
  return alive;
}

/** Call at the top of a test file: the workspace and daemon a test puts here are cleaned up after it. */
export function cleanUpAfterEach(): { ws?: TestWorkspace; daemon?: DaemonProcess } {
  const held: { ws?: TestWorkspace; daemon?: DaemonProcess } = {};
  afterEach(async () => {
    await held.daemon?.kill();
    delete held.daemon;
    await held.ws?.cleanup();
    delete held.ws;
  });
  return held;
}
