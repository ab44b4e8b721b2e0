// Safety by construction, end to end: files outside the workspace and secret files never reach
// the model; planted keys are redacted from the prompt and from everything written; the audit
// trail commits each request without touching a dirty checkout.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jsonMessage } from "../fixtures/model-server.js";
import { git as gitIn } from "../helpers/gitdir.js";
import { testdir } from "../helpers/testdir.js";
import { analysisReply, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
let outside: string;
beforeEach(async () => {
  ws = await makeTestWorkspace();
  outside = await testdir({}, { prefix: "codex-relay-outside-" });
});
afterEach(async () => {
  await ws.cleanup();
});

const PLANTED_KEY = "sk-proj-PLANTEDa1b2c3d4e5f6g7h8i9j0KEY";
const ENV_FILE_SECRET = "DATABASE_PASSWORD=hunter2-env-file-value";
const OUTSIDE_SECRET = "OUTSIDE-THE-WORKSPACE-CONTENT";

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

const git = (...args: string[]) => gitIn(ws.dir, args);

describe("files a request may not embed", () => {
  it("never sends ../ escapes, absolute paths outside, symlink escapes or secret files to the model", async () => {
    await writeFile(path.join(outside, "secret.txt"), OUTSIDE_SECRET);
    await symlink(path.join(outside, "secret.txt"), path.join(ws.dir, "innocent.txt"));
    await symlink(outside, path.join(ws.dir, "linked-dir"));
    await writeFile(path.join(ws.dir, ".env"), `${ENV_FILE_SECRET}\n`);
    await mkdir(path.join(ws.dir, "keys"));
    await writeFile(path.join(ws.dir, "keys", "deploy.pem"), "-----BEGIN PRIVATE KEY-----\nMIIPEMCONTENT\n-----END PRIVATE KEY-----\n");
    await writeFile(path.join(ws.dir, "ok.ts"), "export const fine = 1;\n");
    ws.server.setDefault(jsonMessage(analysisReply()));
    const relOutside = path.relative(ws.dir, path.join(outside, "secret.txt"));
    const files = [relOutside, path.join(outside, "secret.txt"), "innocent.txt", "linked-dir/secret.txt", ".env", "keys/deploy.pem", "ok.ts"];
    const run = await ws.cli(["delegate", "--wait", "--json", "--issue", "what leaks?", "--files", files.join(",")]);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout);
    const sent = ws.server.requests.map((r) => r.text).join("\n");
    expect(sent).toContain("export const fine = 1;");
    for (const secret of [OUTSIDE_SECRET, "hunter2-env-file-value", "MIIPEMCONTENT"]) expect(sent).not.toContain(secret);
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        `outside the workspace: ${relOutside}`,
        `outside the workspace: innocent.txt`,
        `secret file not embedded: .env`,
        `secret file not embedded: keys/deploy.pem`,
      ]),
    );
    expect(result.warnings.filter((w: string) => w.includes("linked-dir"))).toHaveLength(1);
  });
});

describe("secret redaction", () => {
  it("keeps a planted key and a secret env value out of the model's input and out of every file written", async () => {
    ws.server.setDefault(jsonMessage(analysisReply({ technical_explanation: `The log shows ${PLANTED_KEY} being sent.` })));
    const envSecret = "s3cr3t-value-from-the-environment";
    const run = await ws.cli(
      ["delegate", "--wait", "--json", "--issue", "auth fails", "--logs", `Authorization failed for key ${PLANTED_KEY}\nDB_TOKEN=${envSecret}`, "--context", `our token is ${envSecret}`],
      { env: { DB_TOKEN: envSecret } },
    );
    expect(run.exitCode).toBe(0);
    const sent = ws.server.requests.map((r) => r.raw).join("\n");
    expect(sent).not.toContain(PLANTED_KEY);
    expect(sent).not.toContain(envSecret);
    expect(sent).toContain("[REDACTED]");
    expect(run.stdout).not.toContain(PLANTED_KEY);

    // every file the daemon wrote (RESULT pair, event log, daemon log, claims, tmp) is clean...
    const id = JSON.parse(run.stdout).id as string;
    for (const file of await allFiles(path.join(ws.dir, ".autonomous_runs"))) {
      if (file === ws.layout.request(id)) continue; // the Builder's own request keeps what the Builder wrote
      const text = await readFile(file, "utf8");
      expect(text, file).not.toContain(PLANTED_KEY);
      expect(text, file).not.toContain(envSecret);
    }
    // ...and so is the audit branch, including its copy of the request
    const audit = git("log", "-p", "codex-relay/audit");
    expect(audit).toContain(`CODEX_DELEGATION_REQUEST_${id}.md`);
    expect(audit).not.toContain(PLANTED_KEY);
    expect(audit).not.toContain(envSecret);
  });
});

describe("audit trail", () => {
  it("adds one commit per request while a dirty working tree, index and HEAD stay byte-identical", async () => {
    await writeFile(path.join(ws.dir, "README.md"), "# edited but not staged\n");
    await writeFile(path.join(ws.dir, "staged.txt"), "staged\n");
    git("add", "staged.txt");
    await writeFile(path.join(ws.dir, "untracked.txt"), "untracked\n");
    const snapshot = async () => ({
      head: git("rev-parse", "HEAD"),
      branch: git("symbolic-ref", "HEAD"),
      status: git("status", "--porcelain=v2"),
      index: createHash("sha256").update(await readFile(path.join(ws.dir, ".git", "index"))).digest("hex"),
      files: await Promise.all(["README.md", "staged.txt", "untracked.txt"].map((f) => readFile(path.join(ws.dir, f), "utf8"))),
    });
    const before = await snapshot();
    ws.server.setDefault(jsonMessage(analysisReply()));
    const ids: string[] = [];
    for (const issue of ["first", "second", "third"]) {
      const run = await ws.cli(["delegate", "--wait", "--json", "--issue", issue]);
      ids.push(JSON.parse(run.stdout).id);
    }
    const log = git("log", "--format=%s", "codex-relay/audit").trim().split("\n");
    expect(log).toHaveLength(3);
    expect(log).toEqual(ids.reverse().map((id) => `delegation ${id}: completed`));
    const tree = git("ls-tree", "-r", "--name-only", "codex-relay/audit");
    for (const id of ids) {
      expect(tree).toContain(`delegations/${id}/CODEX_DELEGATION_REQUEST_${id}.md`);
      expect(tree).toContain(`delegations/${id}/CODEX_DELEGATION_RESULT_${id}.json`);
    }
    const after = await snapshot();
    // the daemon's own files are untracked and ignored by nobody: only they may appear in status
    after.status = after.status.split("\n").filter((l) => !l.includes(".autonomous_runs") && !l.includes("codex-relay.toml")).join("\n");
    before.status = before.status.split("\n").filter((l) => !l.includes(".autonomous_runs") && !l.includes("codex-relay.toml")).join("\n");
    expect(after).toEqual(before);
  });
});
