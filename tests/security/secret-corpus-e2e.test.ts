// The whole generated secret corpus, in three parts, through the three ways a request is made: `delegate --wait`
// (no daemon: processed by the CLI), a hand-written request dropped into the inbox of a running
// daemon, and the Claude Code hook. The real codex binary talks to the model stand-in. Then: no
// planted value reached the model, no file the relay wrote holds one, and no ref of the
// repository (the audit branch included) does.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, expect, it } from "vitest";
import { REQUEST_FILE } from "../../src/protocol/layout.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, CLI, makeTestWorkspace, startDaemonProcess, until, type DaemonProcess, type TestWorkspace } from "../helpers/relay-workspace.js";
import { generateCorpus, SHAPES, type CorpusDocument } from "./secret-corpus.js";

// Values with no secret shape: only the environment and the config make them secrets.
const SECRET_ENV = { BILLING_DB_CRED: "plain-looking value 7731", ACME_WEBHOOK_SECRET: "shared words for the hook 4420" };
const TOML = '[security]\nredact_env = ["BILLING_DB_CRED"]';

const corpus = generateCorpus(0x5ec2e7, 1_200);
// The whole corpus (1,200 secrets, ~135 KB) in three parts, each holding every shape (shapes are
// planted in turn); a part fits in one argument of `delegate` (Linux caps one at 128 KiB).
const third = Math.ceil(corpus.length / 3);
const PARTS = { delegate: corpus.slice(0, third), inbox: corpus.slice(third, 2 * third), hook: corpus.slice(2 * third) };

let ws: TestWorkspace | undefined;
let daemon: DaemonProcess | undefined;
const scratch: string[] = [];
afterEach(async () => {
  await daemon?.kill();
  daemon = undefined;
  await ws?.cleanup();
  ws = undefined;
  for (const dir of scratch.splice(0)) await rm(dir, { recursive: true, force: true });
});

const textOf = (documents: readonly CorpusDocument[]) => documents.map((document) => document.text).join("\n\n");
const firstSecret = (documents: readonly CorpusDocument[], shape: string) => documents.flatMap((d) => d.planted).find((p) => p.shape === shape)!.value;

/** Every file under `dir`, recursively, but for the names in `skip`. */
async function filesUnder(dir: string, skip: ReadonlySet<string>): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip.has(full)) continue;
    if (entry.isDirectory()) files.push(...(await filesUnder(full, skip)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

it("no planted secret reaches the model, a file the relay wrote, or any ref of the repository", { timeout: 240_000 }, async () => {
  ws = await makeTestWorkspace({ toml: TOML });
  const w = ws;
  Object.assign(w.env, SECRET_ENV); // the user's shell: the CLI, the daemon and the hook all see it
  w.server.setDefault(jsonMessage(analysisReply()));
  for (const part of Object.values(PARTS)) expect(new Set(part.flatMap((d) => d.planted.map((p) => p.shape))).size).toBe(SHAPES.length);
  const envLine = `db cred is ${SECRET_ENV.BILLING_DB_CRED}; webhook secret ${SECRET_ENV.ACME_WEBHOOK_SECRET}`;

  // (a) delegate --wait with no daemon: the CLI writes the request and processes it.
  const half = Math.floor(PARTS.delegate.length / 2);
  const delegated = await w.cli(
    [
      "delegate",
      "--wait",
      "--json",
      "--issue",
      `checkout fails with ${firstSecret(PARTS.delegate, "openai")}`,
      "--logs",
      `${textOf(PARTS.delegate.slice(0, half))}\n${envLine}`,
      "--context",
      textOf(PARTS.delegate.slice(half)),
      "--attempted-fixes",
      `rotated ${firstSecret(PARTS.delegate, "stripe")}`,
      envLine,
    ],
    { timeoutMs: 120_000 },
  );
  expect(delegated.stderr).not.toContain("Error");
  expect(delegated.exitCode).toBe(0);

  // (b) a hand-written request, dropped into a running daemon's inbox the way the protocol says.
  daemon = await startDaemonProcess(w);
  const handWritten = w.layout.request("20260101_000000");
  const markdown = [
    "---",
    "kind: analysis",
    "requested_by: a person",
    "---",
    "## Issue",
    `Payments fail after the key rotation (${firstSecret(PARTS.inbox, "github-classic")})`,
    "## Context",
    envLine,
    "## Error Logs",
    "```",
    textOf(PARTS.inbox),
    "```",
    "",
  ].join("\n");
  const temp = path.join(w.layout.inbox, ".CODEX_DELEGATION_REQUEST_20260101_000000.md.tmp");
  await writeFile(temp, markdown);
  await rename(temp, handWritten);

  // (c) the Claude Code hook, with the phrase and the rest of the prompt full of secrets.
  const prompt = `DELEGATE TO CODEX: why is ${firstSecret(PARTS.hook, "jwt")} rejected by the gateway?\n\n${textOf(PARTS.hook)}\n${envLine}`;
  const hooked = await execa(process.execPath, [CLI, "hook", "claude-code"], {
    cwd: os.tmpdir(),
    env: w.env,
    extendEnv: false,
    reject: false,
    input: JSON.stringify({ session_id: "corpus-session", transcript_path: "/x/corpus-session.jsonl", cwd: w.dir, hook_event_name: "UserPromptSubmit", prompt }),
    timeout: 30_000,
  });
  expect(hooked.stderr).toBe("");
  const ids = (await readdir(w.layout.inbox)).flatMap((name) => REQUEST_FILE.exec(name)?.[1] ?? []);
  expect(ids).toHaveLength(3);
  await until(() => ids.every((id) => existsSync(w.layout.result(id, "json"))), "the RESULTs of all three requests", 120_000);
  await daemon.stop(); // a graceful stop drains the audit commits
  for (const id of ids) expect(JSON.parse(await readFile(w.layout.result(id, "json"), "utf8")).status, id).toBe("completed");

  const secrets = [...Object.values(PARTS).flatMap((part) => part.flatMap((d) => d.planted.map((p) => p.value))), ...Object.values(SECRET_ENV)];
  expect(secrets.length).toBeGreaterThanOrEqual(1_000);
  const leaked = (text: string) => secrets.filter((secret) => text.includes(secret));

  // The model: every body it received, as sent and as parsed.
  expect(w.server.requests.length).toBeGreaterThanOrEqual(3);
  const sent = w.server.requests.map((request) => `${request.raw}\n${JSON.stringify(request.body)}`).join("\n");
  expect(leaked(sent)).toEqual([]);
  // …and it did get the redacted text: the decoys around the secrets arrived, from all three parts.
  for (const part of Object.values(PARTS)) expect(sent).toContain(part.flatMap((d) => d.decoys)[0]!);

  // Every file the relay (or the Codex it ran) wrote: the workspace but for git's own store and
  // this test's hand-written request, and Codex's home.
  const files = [
    ...(await filesUnder(w.dir, new Set([path.join(w.dir, ".git"), handWritten]))),
    ...(await filesUnder(w.env.CODEX_HOME!, new Set())),
  ];
  expect(files.length).toBeGreaterThan(10);
  const inFiles = [];
  for (const file of files) for (const secret of leaked(await readFile(file, "latin1"))) inFiles.push(`${path.relative(w.dir, file)}: ${secret}`);
  expect(inFiles).toEqual([]);

  // Every ref of the repository, the audit branch included, and every commit message.
  const git = (...args: string[]) => execFileSync("git", ["-C", w.dir, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const refs = git("for-each-ref", "--format=%(refname)").split("\n").filter(Boolean);
  expect(refs).toContain("refs/heads/codex-relay/audit");
  expect(git("rev-list", "--count", "codex-relay/audit").trim()).toBe("3");
  const dir = await mkdtemp(path.join(os.tmpdir(), "codex-relay-corpus-"));
  scratch.push(dir);
  const patterns = path.join(dir, "patterns.txt");
  await writeFile(patterns, `${secrets.join("\n")}\n`);
  const grep = await execa("git", ["-C", w.dir, "grep", "-F", "-I", "-f", patterns, ...refs], { reject: false });
  expect(grep.stdout).toBe("");
  expect(grep.exitCode).toBe(1); // 1: nothing matched (2 would be an error)
  expect(git("grep", "-c", "-F", "[REDACTED]", "codex-relay/audit")).toMatch(/REQUEST_/);
  expect(leaked(git("log", "--all", "--format=%B"))).toEqual([]);
});
