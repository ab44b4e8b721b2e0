// What happens around a verified patch: the optional merge, the Builder overlap guard, the
// sandbox setup command, a cancel in the middle, and `codex-relay micro` from the command line.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { processRequest } from "../../src/daemon/process-request.js";
import { createRelayContext } from "../../src/context/relay-context.js";
import { publishRequest } from "../../src/protocol/publish-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import type { RecordedRequest, Reply } from "../fixtures/model-server.js";
import { FIXED, editFile, fixReplies, patchReply } from "../fixtures/patch-project.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace, outFiles, runKind } from "../helpers/patch-workspace.js";
import { relayContext, type TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

async function reportText(pattern: RegExp): Promise<string> {
  const [name] = await outFiles(ws, pattern);
  return readFile(path.join(ws.dir, "out", name!), "utf8");
}

describe("merge policy (patch.merge = true)", () => {
  it("merges a passing patch --no-ff into a clean Builder branch whose HEAD has not moved", async () => {
    ws = await makePatchWorkspace({ toml: "[patch]\nmerge = true\n" });
    const base = git(ws.dir, "rev-parse", "HEAD").trim();
    ws.server.enqueue(...fixReplies());
    const { id, result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("completed");
    expect(readFileSync(path.join(ws.dir, "src/math.js"), "utf8")).toBe(FIXED);
    expect(git(ws.dir, "rev-list", "--parents", "-n", "1", "HEAD").trim().split(" ")).toEqual([
      git(ws.dir, "rev-parse", "HEAD").trim(), base, git(ws.dir, "rev-parse", `codex/patch-${id}`).trim(),
    ]);
    expect(await reportText(/^codex-patch-\d/)).toMatch(/merged codex\/patch-/);
  });

  it("does not merge when the Builder has uncommitted work, and says what to run", async () => {
    ws = await makePatchWorkspace({ toml: "[patch]\nmerge = true\n" });
    const head = git(ws.dir, "rev-parse", "HEAD");
    await writeFile(path.join(ws.dir, "README.md"), "# test repo\nmine\n");
    ws.server.enqueue(...fixReplies());
    const { id, result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("completed");
    expect(git(ws.dir, "rev-parse", "HEAD")).toBe(head);
    const report = await reportText(/^codex-patch-\d/);
    expect(report).toMatch(/not merged/);
    expect(report).toContain(`git merge --no-ff codex/patch-${id}`);
  });
});

describe("Builder overlap guard", () => {
  it("flags an approved file the Builder changed while Codex worked, instead of suggesting a merge", async () => {
    ws = await makePatchWorkspace({ toml: "[patch]\nmerge = true\n" });
    const head = git(ws.dir, "rev-parse", "HEAD");
    const builderEdit = "export function add(a, b) {\n  return b + a; // mine\n}\n";
    // While Codex is busy with its first turn, the Builder edits the same file in its checkout.
    const edit: (request: RecordedRequest) => Reply = () => {
      writeFileSync(path.join(ws.dir, "src/math.js"), builderEdit); // reply functions run synchronously

      return editFile("src/math.js", "  return a - b;", "  return a + b;");
    };
    ws.server.enqueue(edit, patchReply());
    const { result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("completed");
    expect(git(ws.dir, "rev-parse", "HEAD")).toBe(head); // not merged
    expect(readFileSync(path.join(ws.dir, "src/math.js"), "utf8")).toBe(builderEdit); // the Builder's work untouched
    const report = await reportText(/^codex-patch-\d/);
    expect(report).toMatch(/OVERLAP/i);
    expect(report).toContain("src/math.js");
  });
});

describe("sandbox setup (patch.setup)", () => {
  it("runs the setup command once per pooled worktree, before the baseline, and not again for the next patch", async () => {
    ws = await makePatchWorkspace({ toml: '[patch]\nsetup = ["node", "setup.js"]\npool_size = 1\n' });
    await writeFile(path.join(ws.dir, "setup.js"), 'import fs from "node:fs";\nfs.mkdirSync("node_modules", { recursive: true });\nfs.appendFileSync("node_modules/setup-runs", "x");\nfs.appendFileSync(process.env.SETUP_LOG, "ran\\n");\n');
    await writeFile(path.join(ws.dir, "test.js"), 'import fs from "node:fs";\nimport { add } from "./src/math.js";\nif (!fs.existsSync("node_modules/setup-runs")) { console.error("setup did not run"); process.exit(3); }\nif (add(2, 3) !== 5) { console.error("FAIL"); process.exit(1); }\n');
    git(ws.dir, "add", ".");
    git(ws.dir, "commit", "-qm", "setup script");
    const setupLog = path.join(path.dirname(ws.dir), `${path.basename(ws.dir)}-setup.log`);
    ws.env.SETUP_LOG = setupLog;
    await writeFile(path.join(ws.dir, "codex-relay.toml"), (await readFile(path.join(ws.dir, "codex-relay.toml"), "utf8")).replace("pool_size = 1", 'pool_size = 1\nenv = ["SETUP_LOG"]'));
    ws.server.enqueue(...fixReplies());
    const first = await runKind(ws, "patch", "Apply the fix");
    expect(first.result.status).toBe("completed");
    ws.server.enqueue(...fixReplies());
    const second = await runKind(ws, "patch", "Apply the fix again");
    expect(second.result.status).toBe("completed");
    expect(readFileSync(setupLog, "utf8")).toBe("ran\n");
  });

  it("fails with setup_failed, naming the command and its output, when setup fails", async () => {
    ws = await makePatchWorkspace({ toml: '[patch]\nsetup = ["node", "-e", "console.error(\'registry unreachable\'); process.exit(7)"]\n' });
    const { result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("setup_failed");
    expect(result.error.message).toContain("registry unreachable");
    expect(ws.server.requests).toHaveLength(0);
  });
});

describe("failures before the sandbox", () => {
  it("a missing codex binary still ends in a report and a ledger line, and touches no git state", async () => {
    ws = await makePatchWorkspace({ codexBin: "/nonexistent/bin/codex" });
    const branches = git(ws.dir, "branch", "--list", "codex/*");
    const { result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("codex_not_found");
    const report = await reportText(/^codex-patch-FAILED-\d{8}-\d{6}\.md$/);
    expect(report).toContain("codex_not_found");
    const [line] = readFileSync(path.join(ws.dir, "progress/ledger.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(line).toMatchObject({ skill: "codex-patch-rw", verification_passed: false, commit: null, status: "aborted" });
    expect(git(ws.dir, "branch", "--list", "codex/*")).toBe(branches);
    expect(git(ws.dir, "worktree", "list", "--porcelain").trim().split("\n\n")).toHaveLength(1);
  });
});

describe("report names", () => {
  it("two runs in the same second get two reports, the second a second later", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    const now = new Date("2026-03-04T05:06:07Z");
    const ctx = await createRelayContext({ workspace: ws.dir, env: ws.env, now: () => now });
    for (const n of [1, 2]) {
      const id = await publishRequest(ctx.layout, renderRequest({ kind: "patch", issue: `Apply the fix ${n}`, createdAt: now }), now, ctx.redactor);
      const outcome = await processRequest(ctx, { id, detectedAt: now });
      expect(outcome.kind === "result" && outcome.result.error?.code).toBe("patch_prerequisites");
    }
    await ctx.background.drain();
    expect(await outFiles(ws, /^codex-patch-FAILED-/)).toEqual(["codex-patch-FAILED-20260304-050607.md", "codex-patch-FAILED-20260304-050608.md"]);
  });
});

describe("cancel", () => {
  it("a cancel mid-patch ends in a cancelled RESULT, no branch and a clean sandbox", async () => {
    ws = await makePatchWorkspace();
    ws.server.enqueue({ kind: "hang" });
    const ctx = await relayContext(ws);
    const now = new Date();
    const id = await publishRequest(ctx.layout, renderRequest({ kind: "patch", issue: "Apply the fix", createdAt: now }), now, ctx.redactor);
    const abort = new AbortController();
    const running = processRequest(ctx, { id, detectedAt: now, signal: abort.signal });
    await ws.server.waitForRequests(1, 30_000);
    abort.abort("cancelled");
    const outcome = await running;
    await ctx.background.drain();
    await ctx.logger.close();
    expect(outcome.kind === "result" && outcome.result.status).toBe("cancelled");
    expect(git(ws.dir, "branch", "--list", `codex/patch-${id}`)).toBe("");
    const slots = git(ws.dir, "worktree", "list", "--porcelain").trim().split("\n\n").slice(1);
    for (const slot of slots) expect(git(/^worktree (.*)$/m.exec(slot)![1]!, "status", "--porcelain")).toBe("");
  });
});

describe("codex-relay micro", () => {
  it("runs the micro edit without a daemon, prints its RESULT and exits 0 only when committed", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    ws.server.enqueue(...fixReplies());
    const ok = await ws.cli(["micro", "Make add() add"], { timeoutMs: 120_000 });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/micro committed on codex\/micro-/);
    const many = Array.from({ length: 30 }, (_, i) => `// ${i}`).join("\n");
    ws.server.enqueue(editFile("src/math.js", "  return a - b;", `${many}\n  return a + b;`), patchReply());
    const over = await ws.cli(["micro", "Make add() add, verbosely"], { timeoutMs: 120_000 });
    expect(over.exitCode).not.toBe(0);
    expect(`${over.stdout}${over.stderr}`).toMatch(/patch_limits|limit/);
    expect(existsSync(path.join(ws.dir, "out/failure-patterns.jsonl"))).toBe(true);
  });
});
