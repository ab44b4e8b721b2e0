// `npm run e2e:claude-code`: codex-relay's Claude Code hooks checked against the real Claude Code
// CLI, offline. Not part of `npm test`: it downloads Claude Code (about 400 MB, into a temp folder;
// never a dependency of this project). Steps:
//   1. install the pinned @anthropic-ai/claude-code into a temp folder (or use E2E_CLAUDE_BIN);
//   2. start a local Messages-API stand-in (messages-server.mjs; ANTHROPIC_BASE_URL points Claude
//      Code at it; every request it receives is logged to messages-received.jsonl) and the tests'
//      Responses-API stand-in for Codex (tests/fixtures/model-server.ts, bundled with esbuild);
//   3. `npm pack` this checkout and install the tarball into a temp git repository, with the hooks
//      from `init --claude-code` (settings), from the plugin (`claude plugin marketplace add
//      ./node_modules/codex-relay` + `claude plugin install`), or both;
//   4. run `claude -p` with and without the phrase and check what reached the model.
// E2E_VARIANTS (comma-separated: settings, plugin, both) runs fewer. Prints one PASS/FAIL line per
// check; exits 1 when any failed. Needs the checkout built (the npm
// script builds it) and the npm registry (for Claude Code and the tarball's dependencies).
import { execFile as execFileCb, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { startMessagesServer } from "./messages-server.mjs";

const execFile = promisify(execFileCb);
const CLAUDE_CODE_VERSION = "2.1.332";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REQUEST_ID = /delegation request (\d{8}_\d{6}(?:_\d+)?)/;
const results = [];

function say(line) {
  process.stdout.write(`${line}\n`);
}

function check(variant, name, ok, detail = "") {
  results.push({ variant, name, ok });
  say(`${ok ? "PASS" : "FAIL"} [${variant}] ${name}${detail ? ` — ${detail}` : ""}`);
}

async function run(cmd, args, options = {}) {
  return execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...options });
}

/** npm without the npm_* variables of the `npm run` that started us (they would point npm here). */
function npmEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return { ...env, ...extra };
}

async function installClaude(scratch) {
  if (process.env.E2E_CLAUDE_BIN) return process.env.E2E_CLAUDE_BIN;
  const prefix = path.join(scratch, "claude-code");
  mkdirSync(prefix, { recursive: true });
  say(`installing @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} into ${prefix}`);
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefix", prefix, `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`], { env: npmEnv() });
  return path.join(prefix, "node_modules", ".bin", "claude");
}

/**
 * The tests' Codex stand-in and the bench's workspace config, bundled so this plain script can load
 * them. The bundle lives under node_modules/.cache of this checkout: @openai/codex is resolved from
 * where the bundle is.
 */
async function loadCodexFixtures() {
  const dir = path.join(ROOT, "node_modules", ".cache", "codex-relay-e2e");
  mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, "fixtures-entry.ts");
  const outfile = path.join(dir, "fixtures.mjs");
  writeFileSync(
    entry,
    [
      `export { startModelServer, jsonMessage } from ${JSON.stringify(path.join(ROOT, "tests/fixtures/model-server.ts"))};`,
      `export { MOCK_ENV_KEY, MOCK_API_KEY } from ${JSON.stringify(path.join(ROOT, "tests/fixtures/codex-home.ts"))};`,
      `export { workspaceToml } from ${JSON.stringify(path.join(ROOT, "bench/bench-kit.ts"))};`,
    ].join("\n"),
  );
  await build({ entryPoints: [entry], outfile, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning", absWorkingDir: ROOT });
  return import(pathToFileURL(outfile).href);
}

async function packCheckout(scratch) {
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], { cwd: ROOT, env: npmEnv() });
  return path.join(scratch, JSON.parse(stdout)[0].filename);
}

const ANALYSIS = {
  root_cause: "add() subtracts its second argument: `return a - b`.",
  technical_explanation: "src/math.js line 2 uses the minus operator.",
  recommended_fixes: [{ priority: 1, title: "Use +", details: "return a + b", files: ["src/math.js"], code: "return a + b;" }],
  code_examples: [],
  additional_investigation: [],
  confidence: "high",
  patch: null,
};

async function makeRepo(scratch, variant, tarball, fx, codexServer) {
  const repo = path.join(scratch, `repo-${variant}`);
  mkdirSync(path.join(repo, "src"), { recursive: true });
  writeFileSync(path.join(repo, "src", "math.js"), "export function add(a, b) {\n  return a - b;\n}\n");
  writeFileSync(path.join(repo, "package.json"), `${JSON.stringify({ name: `e2e-${variant}`, version: "1.0.0", private: true }, null, 2)}\n`);
  await run("git", ["init", "-q", "-b", "main", repo]);
  await run("npm", ["install", "--no-audit", "--no-fund", "-D", tarball], { cwd: repo, env: npmEnv() });
  const bin = path.join(repo, "node_modules", ".bin", "codex-relay");
  await run(bin, ["init", ...(variant === "plugin" ? [] : ["--claude-code"])], { cwd: repo });
  writeFileSync(path.join(repo, "codex-relay.toml"), fx.workspaceToml(codexServer.url));
  await run("git", ["-C", repo, "add", "-A"]);
  await run("git", ["-C", repo, "-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid", "commit", "-q", "-m", "init"]);
  return repo;
}

function requestIds(repo) {
  const inbox = path.join(repo, ".autonomous_runs", "codex_delegations");
  if (!existsSync(inbox)) return [];
  return readdirSync(inbox).flatMap((name) => /^CODEX_DELEGATION_REQUEST_(.+)\.md$/.exec(name)?.[1] ?? []).sort();
}

/** Everything one Messages-API request shows the model, as text. */
function textOf(body) {
  const parts = [];
  const walk = (value) => {
    if (typeof value === "string") parts.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      if (typeof value.text === "string") parts.push(value.text);
      if (value.content !== undefined) walk(value.content);
    }
  };
  walk(body.messages ?? []);
  return parts.join("\n");
}

const count = (text, needle) => text.split(needle).length - 1;
// What a hook adds to the model's input (Claude Code wraps it in a system reminder with this label).
// The CLAUDE.md section and the plugin's command list name codex-relay too, on every call.
const HOOK_SAID = /hook additional context|hook blocking error/i;
const isMainCall = (body) => Array.isArray(body.tools) && body.tools.some((tool) => tool.name === "Bash");

/** Answer the request with the real codex-relay and Codex (against the Codex stand-in). */
async function answerRequest(repo, id, fx, codexHome) {
  const bin = path.join(repo, "node_modules", ".bin", "codex-relay");
  const request = path.join(repo, ".autonomous_runs", "codex_delegations", `CODEX_DELEGATION_REQUEST_${id}.md`);
  await run(bin, ["run", request, "--json"], { cwd: repo, env: { PATH: process.env.PATH, HOME: codexHome, CODEX_HOME: codexHome, [fx.MOCK_ENV_KEY]: fx.MOCK_API_KEY } }).catch((error) => error);
}

async function claude(bin, repo, home, url, prompt) {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_CONFIG_DIR: path.join(home, ".claude"),
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: "sk-ant-e2e-local",
    DISABLE_TELEMETRY: "1",
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  };
  return new Promise((resolve) => {
    const child = spawn(bin, ["-p", prompt, "--output-format", "json", "--allowedTools", "Bash"], { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      let result;
      try {
        result = JSON.parse(stdout);
      } catch {
        result = undefined;
      }
      resolve({ code, stdout, stderr, result });
    });
  });
}

async function installPlugin(bin, repo, home) {
  const env = { PATH: process.env.PATH, HOME: home, CLAUDE_CONFIG_DIR: path.join(home, ".claude"), DISABLE_AUTOUPDATER: "1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" };
  const marketplace = path.join(repo, "node_modules", "codex-relay");
  const added = await run(bin, ["plugin", "marketplace", "add", marketplace], { cwd: repo, env });
  const installed = await run(bin, ["plugin", "install", "codex-relay@codex-relay"], { cwd: repo, env });
  return `${added.stdout.trim()} / ${installed.stdout.trim()}`;
}

async function main() {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "codex-relay-e2e-claude-code-"));
  say(`codex-relay e2e against Claude Code ${CLAUDE_CODE_VERSION} (scratch: ${scratch})`);
  const claudeBin = await installClaude(scratch);
  const { stdout: version } = await run(claudeBin, ["--version"]);
  say(`claude --version: ${version.trim()}`);
  const fx = await loadCodexFixtures();
  const codexServer = await fx.startModelServer();
  codexServer.setDefault(fx.jsonMessage(ANALYSIS));
  const codexHome = path.join(scratch, "codex-home");
  mkdirSync(codexHome);
  const tarball = await packCheckout(scratch);
  say(`packed ${path.basename(tarball)}`);

  const log = path.join(scratch, "messages-received.jsonl");
  let handler = () => [{ text: "ok" }];
  const calls = [];
  const messages = await startMessagesServer(async (body) => {
    appendFileSync(log, `${JSON.stringify(body)}\n`);
    if (!isMainCall(body)) return [{ text: "ok" }]; // side calls (titles, summaries)
    calls.push(body);
    return handler(body, calls.length);
  });

  try {
    const variants = (process.env.E2E_VARIANTS ?? "settings,plugin,both").split(",").map((v) => v.trim());
    for (const variant of variants) {
      const repo = await makeRepo(scratch, variant, tarball, fx, codexServer);
      const home = path.join(scratch, `home-${variant}`);
      mkdirSync(path.join(home, ".claude"), { recursive: true });
      if (variant !== "settings") say(`[${variant}] plugin: ${await installPlugin(claudeBin, repo, home)}`);
      const scenario = async (name, prompt, onCall) => {
        calls.length = 0;
        handler = onCall;
        const before = requestIds(repo);
        const out = await claude(claudeBin, repo, home, messages.url, prompt);
        const made = requestIds(repo).filter((id) => !before.includes(id));
        if (out.result === undefined || out.result.is_error) say(`  [${variant}] ${name}: claude exited ${out.code}: ${out.stdout.slice(0, 400)} ${out.stderr.slice(0, 400)}`);
        return { out, made, calls: [...calls] };
      };

      // 1. No phrase: nothing made, nothing said.
      {
        const { made, calls: c } = await scenario("no phrase", "What does add() in src/math.js do?", () => [{ text: "It should add two numbers." }]);
        check(variant, "a prompt without the phrase makes no request", made.length === 0, `${made.length} made`);
        check(variant, "a prompt without the phrase adds nothing to the model's input", c.length === 1 && !c.some((b) => HOOK_SAID.test(textOf(b))), `${c.length} model call(s)`);
      }

      // 2. The phrase in a prompt: one request, its id reaches the model, the RESULT is announced once.
      {
        let told;
        const { made, calls: c } = await scenario(
          "phrase",
          "add(2, 3) returns -1.\nDELEGATE TO CODEX: why does add() return -1 for add(2, 3)?\nThe code is in src/math.js.",
          async (body, n) => {
            if (n === 1) {
              told = REQUEST_ID.exec(textOf(body))?.[1];
              if (told) await answerRequest(repo, told, fx, codexHome); // Codex answers while the agent works
              return [{ text: "I asked Codex; continuing." }];
            }
            return [{ text: "Codex found the bug: add() subtracts." }];
          },
        );
        check(variant, "one request per prompt", made.length === 1, `made ${made.join(", ") || "none"}`);
        check(variant, "the request id reaches the model with the prompt", told !== undefined && told === made[0], `told ${told}`);
        // A second hook run for the same event would add a second message ("… still pending as request <id>").
        const toldTimes = c[0] ? count(textOf(c[0]), "hook additional context: codex-relay:") : 0;
        check(variant, "the id is told once (one message per event, however many installs run)", toldTimes === 1 && !textOf(c[0]).includes("still pending"), `${toldTimes} hook message(s)`);
        const last = c.at(-1);
        const announced = last ? count(textOf(last), `Codex answered delegation request ${made[0]}`) : 0;
        check(variant, "the RESULT is announced exactly once", c.length === 2 && announced === 1, `${c.length} model calls, announced ${announced} time(s)`);
        const all = c.map(textOf).join("\n");
        check(variant, "the announcement carries no error label", last !== undefined && textOf(last).includes("Stop hook additional context") && !/blocking error|hook error/i.test(all));
      }

      if (variant === "both") continue; // the dedupe is what this variant checks

      // 3. A fenced phrase does nothing.
      {
        const { made, calls: c } = await scenario("fenced", "The README shows this example:\n```\nDELEGATE TO CODEX: example issue\n```\nIs it clear?", () => [{ text: "Yes." }]);
        check(variant, "a fenced phrase makes no request", made.length === 0, `${made.length} made`);
        check(variant, "a fenced phrase adds nothing to the model's input", c.length === 1 && !HOOK_SAID.test(textOf(c[0])));
      }

      // 4. The agent runs `codex-relay wait <id>` itself: no announcement, no extra turn.
      {
        let told;
        const { made, calls: c } = await scenario("agent waits", "DELEGATE TO CODEX: why is the cache of add() results stale?", async (body, n) => {
          if (n === 1) {
            told = REQUEST_ID.exec(textOf(body))?.[1];
            if (told) await answerRequest(repo, told, fx, codexHome);
            return [{ text: "Waiting for Codex." }, { tool: "Bash", input: { command: `./node_modules/.bin/codex-relay wait ${told}`, description: "Wait for Codex's RESULT" } }];
          }
          return [{ text: "Codex says add() subtracts." }];
        });
        const text = c.map(textOf).join("\n");
        check(variant, "the agent's wait prints the RESULT", made.length === 1 && text.includes("add() subtracts its second argument"));
        check(variant, "the agent's wait suppresses the announcement (no extra model call)", c.length === 2 && !text.includes("Codex answered delegation request"), `${c.length} model calls`);
      }

      // 5. The agent says the phrase itself: one request, its id told, its RESULT announced once.
      {
        let told;
        const { made, calls: c } = await scenario("agent phrase", "Find out why add(2, 3) is -1; ask Codex if you need to.", async (body, n) => {
          if (n === 1) return [{ text: "I will ask Codex.\n\nDELEGATE TO CODEX: why does add(2, 3) in src/math.js return -1?" }];
          if (n === 2) {
            told = REQUEST_ID.exec(textOf(body))?.[1];
            if (told) await answerRequest(repo, told, fx, codexHome);
            return [{ text: "Noted; waiting for the RESULT." }];
          }
          return [{ text: "Codex's RESULT: add() subtracts." }];
        });
        check(variant, "an agent-said phrase makes one request", made.length === 1, `made ${made.join(", ") || "none"}`);
        check(variant, "the agent is told its request id", told !== undefined && told === made[0], `told ${told}`);
        const announced = c.length > 0 ? count(textOf(c.at(-1)), `Codex answered delegation request ${made[0]}`) : 0;
        check(variant, "the agent-said request's RESULT is announced exactly once", c.length === 3 && announced === 1, `${c.length} model calls, announced ${announced} time(s)`);
        if (made[0]) {
          const request = readFileSync(path.join(repo, ".autonomous_runs", "codex_delegations", `CODEX_DELEGATION_REQUEST_${made[0]}.md`), "utf8");
          check(variant, "the request says the agent asked", /requested_by: .*agent/.test(request));
        }
      }
    }
  } finally {
    await messages.close();
    await codexServer.close();
  }
  const failed = results.filter((r) => !r.ok);
  say(`\n${results.length - failed.length}/${results.length} checks passed; Messages-API requests logged in ${log}`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`e2e-claude-code: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
