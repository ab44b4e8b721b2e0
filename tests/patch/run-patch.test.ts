// The patch workflow end to end, in this process: the REAL codex binary edits a sandbox worktree
// (the scripted model sends apply_patch calls), real git, real verification commands.
import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { inputItems } from "../fixtures/model-server.js";
import { BUGGY, FIXED, editFile, fixReplies, patchReply } from "../fixtures/patch-project.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace, outFiles, runKind, writePrerequisites } from "../helpers/patch-workspace.js";
import type { TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

/** Everything of the Builder's checkout a patch must never touch. */
function builderState(dir: string) {
  return {
    head: git(dir, "rev-parse", "HEAD"),
    branch: git(dir, "branch", "--show-current"),
    // out/ and progress/ are where the daemon reports (PROTOCOL.md §1); everything else is the Builder's.
    status: git(dir, "status", "--porcelain=v1", "--untracked-files=all", "--", ".", ":(exclude)out", ":(exclude)progress"),
    index: readFileSync(path.join(dir, ".git/index")).toString("base64"),
    math: readFileSync(path.join(dir, "src/math.js"), "utf8"),
    readme: readFileSync(path.join(dir, "README.md"), "utf8"),
  };
}

const ledgerLines = (dir: string) =>
  existsSync(path.join(dir, "progress/ledger.jsonl"))
    ? readFileSync(path.join(dir, "progress/ledger.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
    : [];

function worktreeSlots(dir: string): { path: string; detached: boolean; branch: string | null }[] {
  const blocks = git(dir, "worktree", "list", "--porcelain").trim().split("\n\n").slice(1);
  return blocks.map((block) => ({
    path: /^worktree (.*)$/m.exec(block)![1]!,
    detached: /^detached$/m.test(block),
    branch: /^branch (.*)$/m.exec(block)?.[1] ?? null,
  }));
}

describe("a passing patch", () => {
  it("commits on codex/patch-<id> in the enforced format, reports, ledgers, and leaves a dirty Builder checkout byte-identical", async () => {
    ws = await makePatchWorkspace();
    // The Builder is mid-work: a modified tracked file, a staged change, an untracked file.
    await writeFile(path.join(ws.dir, "README.md"), "# test repo\nwork in progress\n");
    await writeFile(path.join(ws.dir, "src/util.js"), "export const one = 1;\nexport const two = 2;\n");
    git(ws.dir, "add", "src/util.js");
    await writeFile(path.join(ws.dir, "notes.txt"), "scratch\n");
    const before = builderState(ws.dir);
    ws.server.enqueue(...fixReplies());

    const { id, result } = await runKind(ws, "patch", "Apply the fix");

    expect(result.status).toBe("completed");
    expect(result.kind).toBe("patch");
    expect(result.patch).toContain("+  return a + b;");
    expect(builderState(ws.dir)).toEqual(before);
    const branch = `codex/patch-${id}`;
    expect(git(ws.dir, "show", `${branch}:src/math.js`)).toBe(FIXED);
    expect(git(ws.dir, "rev-list", "--count", `${before.head.trim()}..${branch}`).trim()).toBe("1");
    const message = git(ws.dir, "log", "-1", "--format=%B", branch);
    expect(message.split("\n")[0]).toBe("fix(math): fix the add operator");
    expect(message).toContain("Verification:\n- node test.js (PASS)");
    expect(message).toContain(`Codex-Relay-Request: ${id}`);
    expect(git(ws.dir, "log", "-1", "--format=%an <%ae>", branch).trim()).toBe("codex-relay <codex-relay@localhost>");

    const reports = await outFiles(ws, /^codex-patch-\d{8}-\d{6}\.md$/);
    expect(reports).toHaveLength(1);
    const report = await readFile(path.join(ws.dir, "out", reports[0]!), "utf8");
    expect(report).toContain("# Patch Report: Fix add()");
    expect(report).toContain("src/math.js");
    expect(report).toContain(branch);
    expect(report).toMatch(/PASS/);
    const [line] = ledgerLines(ws.dir);
    expect(line).toMatchObject({ skill: "codex-patch-rw", verification_passed: true, files_modified: ["src/math.js"], lines_changed: 2, output: `out/${reports[0]}` });
    expect(line.commit).toBe(git(ws.dir, "rev-parse", branch).trim());
    // The report and the ledger are in the audit trail with the request's RESULT pair.
    const audited = git(ws.dir, "ls-tree", "-r", "--name-only", "codex-relay/audit").split("\n");
    expect(audited).toContain(`delegations/${id}/out/${reports[0]}`);
    expect(audited).toContain(`delegations/${id}/progress/ledger.jsonl`);
    expect(audited).toContain(`delegations/${id}/CODEX_DELEGATION_RESULT_${id}.json`);
    // The sandbox was handed back clean and detached: the branch is free for the Builder.
    for (const slot of worktreeSlots(ws.dir)) {
      expect(slot.detached).toBe(true);
      expect(git(slot.path, "status", "--porcelain")).toBe("");
    }
  });

  it("counts a verification that already failed on the base as pre-existing, not as the patch's fault", async () => {
    ws = await makePatchWorkspace();
    await writeFile(path.join(ws.dir, "lint.js"), 'console.error("lint: 3 problems"); process.exit(2);\n');
    git(ws.dir, "add", "lint.js");
    git(ws.dir, "commit", "-qm", "a failing lint");
    await writePrerequisites(ws, { packet: "# Fix add()\n\n## Verification\n- `node test.js`\n- `node lint.js`\n" });
    ws.server.enqueue(...fixReplies());
    const { id, result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("completed");
    const message = git(ws.dir, "log", "-1", "--format=%B", `codex/patch-${id}`);
    expect(message).toContain("- node test.js (PASS)");
    expect(message).toMatch(/- node lint\.js \(FAIL[^)]*pre-existing/);
    const [report] = await outFiles(ws, /^codex-patch-\d/);
    expect(await readFile(path.join(ws.dir, "out", report!), "utf8")).toMatch(/pre-existing/);
  });

  it("commits only the checked change, never files the verification commands leave behind", async () => {
    ws = await makePatchWorkspace();
    await writeFile(path.join(ws.dir, "test.js"), `import fs from "node:fs";\nfs.writeFileSync("verify-artifact.txt", String(Date.now()));\n${readFileSync(path.join(ws.dir, "test.js"), "utf8")}`);
    git(ws.dir, "add", "test.js");
    git(ws.dir, "commit", "-qm", "a test that leaves a file behind");
    ws.server.enqueue(...fixReplies());
    const { id, result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("completed");
    expect(git(ws.dir, "show", "--name-only", "--format=", `codex/patch-${id}`).trim()).toBe("src/math.js");
  });
});

describe("verification and repair", () => {
  it("sends the failing output back to the same Codex thread and commits the repaired patch", async () => {
    ws = await makePatchWorkspace();
    ws.server.enqueue(
      editFile("src/math.js", "  return a - b;", "  return a * b;"),
      patchReply(),
      editFile("src/math.js", "  return a * b;", "  return a + b;"),
      patchReply(),
    );
    const { id, result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("completed");
    expect(git(ws.dir, "show", `codex/patch-${id}:src/math.js`)).toBe(FIXED);
    // The repair request carries the failing output, on the thread of the first run.
    const repair = ws.server.requests.find((r) => r.text.includes("FAIL add(2, 3) = 6"));
    expect(repair).toBeDefined();
    expect(inputItems(repair!, "custom_tool_call_output").length).toBeGreaterThan(0); // the first run's history came along
    const log = readFileSync(ws.layout.log(id), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const threads = new Set(log.filter((e) => e.type === "thread.started").map((e) => e.thread_id));
    expect(threads.size).toBe(1);
    expect(ledgerLines(ws.dir)[0]).toMatchObject({ verification_passed: true });
  });

  it("rolls back a patch that stays broken: FAILED report, attempt kept under a ref and a .patch, nothing else changed", async () => {
    ws = await makePatchWorkspace();
    const before = builderState(ws.dir);
    const branchesBefore = git(ws.dir, "branch", "--list", "codex/*");
    ws.server.enqueue(
      editFile("src/math.js", "  return a - b;", "  return a * b;"),
      patchReply(),
      editFile("src/math.js", "  return a * b;", "  return a / b;"),
      patchReply(),
    );
    const { id, result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("verification_failed");
    expect(builderState(ws.dir)).toEqual(before);
    expect(git(ws.dir, "branch", "--list", "codex/*")).toBe(branchesBefore);
    expect(git(ws.dir, "show", `refs/codex-relay/failed/${id}:src/math.js`)).toContain("return a / b;");
    const [report] = await outFiles(ws, /^codex-patch-FAILED-\d{8}-\d{6}\.md$/);
    expect(report).toBeDefined();
    const text = await readFile(path.join(ws.dir, "out", report!), "utf8");
    expect(text).toContain("[FAILED]");
    expect(text).toContain(`refs/codex-relay/failed/${id}`);
    const [patchFile] = await outFiles(ws, /^codex-patch-FAILED-.*\.patch$/);
    expect(readFileSync(path.join(ws.dir, "out", patchFile!), "utf8")).toContain("+  return a / b;");
    // The saved .patch applies to the base: the work is recoverable.
    git(ws.dir, "apply", "--check", path.join("out", patchFile!));
    for (const slot of worktreeSlots(ws.dir)) expect(git(slot.path, "status", "--porcelain")).toBe("");
    expect(ledgerLines(ws.dir)[0]).toMatchObject({ verification_passed: false, commit: null, next_skill: "codex-diagnose-ro" });
  });
});

describe("limits", () => {
  it("rejects a change to a file the route decision did not approve", async () => {
    ws = await makePatchWorkspace();
    ws.server.enqueue(
      editFile("src/math.js", "  return a - b;", "  return a + b;"),
      editFile("src/util.js", "export const one = 1;", "export const one = 1.0;"),
      patchReply(),
    );
    const { id, result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("patch_limits");
    expect(result.error.message).toContain("src/util.js");
    expect(git(ws.dir, "branch", "--list", `codex/patch-${id}`)).toBe("");
    const [report] = await outFiles(ws, /^codex-patch-FAILED-\d{8}-\d{6}\.md$/);
    expect(await readFile(path.join(ws.dir, "out", report!), "utf8")).toContain("src/util.js");
    expect(ledgerLines(ws.dir)[0]).toMatchObject({ verification_passed: false, next_skill: "human-review" });
  });

  it.each([
    ["max_files = 1", "two files", "too_many_files"],
    ["max_lines_per_file = 3", "a 5-line change to one file", "file_too_large"],
    ["max_total_lines = 5", "6 changed lines in all", "too_many_lines"],
  ])("enforces %s (%s)", async (limit, _what, code) => {
    ws = await makePatchWorkspace({ toml: `[patch]\n${limit}\n` });
    await writePrerequisites(ws, { route: "---\npermission: codex-rw\napproved_by: chair\n---\n## Approved Files\n- src/math.js\n- src/util.js\n" });
    const replies =
      code === "file_too_large"
        ? [editFile("src/math.js", "export function add(a, b) {\n  return a - b;", "// adds\nexport function add(x, y) {\n  return x + y;"), patchReply()]
        : [editFile("src/math.js", "  return a - b;", "  return a + b;"), editFile("src/util.js", "export const one = 1;", "export const one = 1; // one\nexport const two = 2;\nexport const three = 3;"), patchReply()];
    ws.server.enqueue(...replies);
    const { result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("patch_limits");
    const [report] = await outFiles(ws, /^codex-patch-FAILED-\d{8}-\d{6}\.md$/);
    const text = await readFile(path.join(ws.dir, "out", report!), "utf8");
    expect(text).toMatch(/limit/i);
    const limitNumber = limit.split(" = ")[1]!;
    expect(result.error.message).toContain(`limit ${limitNumber}`);
    // Too big for one patch: the way out is a plan of the task packet, with the exact command.
    expect(result.error.hint).toContain("`codex-relay plan`");
    expect(text).toContain("plan progress/TASK_PACKET.md as small verified steps with `codex-relay plan`");
  });

  it("rejects a new dependency even in an approved package.json", async () => {
    ws = await makePatchWorkspace();
    await writePrerequisites(ws, { route: "---\npermission: codex-rw\napproved_by: chair\n---\n## Approved Files\n- src/math.js\n- package.json\n" });
    ws.server.enqueue(
      editFile("src/math.js", "  return a - b;", "  return a + b;"),
      editFile("package.json", '  "private": true,', '  "private": true,\n  "dependencies": { "left-pad": "1.3.0" },'),
      patchReply(),
    );
    const { result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("patch_limits");
    expect(result.error.message).toMatch(/package\.json/);
    expect(result.error.message).toMatch(/dependenc/i);
  });
});

describe("prerequisites", () => {
  it.each([
    ["task_packet", { packet: null }],
    ["route_decision", { route: null }],
    ["codex_rw_permission", { route: "---\npermission: codex-ro\napproved_by: chair\n---\n## Approved Files\n- src/math.js\n" }],
    ["approval", { route: "---\npermission: codex-rw\n---\n## Approved Files\n- src/math.js\n" }],
    ["diagnosis", { diagnosis: null }],
  ] as const)("aborts without %s, naming it, and runs no Codex", async (what, parts) => {
    ws = await makePatchWorkspace({ prerequisites: false });
    await writePrerequisites(ws, parts);
    const before = builderState(ws.dir);
    const { result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("rejected");
    expect(result.error.code).toBe("patch_prerequisites");
    expect(ws.server.requests).toHaveLength(0);
    const [report] = await outFiles(ws, /^codex-patch-FAILED-\d{8}-\d{6}\.md$/);
    const text = await readFile(path.join(ws.dir, "out", report!), "utf8");
    expect(text).toMatch(/MISSING PREREQUISITES/i);
    expect(ledgerLines(ws.dir)[0]).toMatchObject({ verification_passed: false, commit: null });
    expect(builderState(ws.dir)).toEqual(before);
    expect(result.summary).toContain(what);
  });
});

describe("git safety", () => {
  it("never runs the repository's hooks or fsmonitor while preparing, committing and releasing", async () => {
    ws = await makePatchWorkspace();
    const canary = path.join(path.dirname(ws.dir), `canary-${path.basename(ws.dir)}`);
    const hook = `#!/bin/sh\necho "$0" >> "${canary}"\n`;
    for (const name of ["post-checkout", "pre-commit", "post-commit", "commit-msg", "prepare-commit-msg", "reference-transaction"]) {
      await writeFile(path.join(ws.dir, ".git/hooks", name), hook, { mode: 0o755 });
    }
    await writeFile(path.join(ws.dir, "fsmonitor.sh"), hook, { mode: 0o755 });
    git(ws.dir, "config", "core.fsmonitor", path.join(ws.dir, "fsmonitor.sh"));
    await import("node:fs/promises").then((fs) => fs.rm(canary, { force: true }));
    ws.server.enqueue(...fixReplies());
    const { result } = await runKind(ws, "patch", "Apply the fix");
    expect(result.status).toBe("completed");
    expect(existsSync(canary)).toBe(false);
  });
});

describe("micro edits", () => {
  it("commits a small edit on codex/micro-<id> after the package.json quality gates pass, with real figures in micro-<id>.json", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    ws.server.enqueue(...fixReplies());
    const { id, result } = await runKind(ws, "micro", "Make add() add instead of subtract");
    expect(result.status).toBe("completed");
    expect(git(ws.dir, "show", `codex/micro-${id}:src/math.js`)).toBe(FIXED);
    const micro = JSON.parse(await readFile(path.join(ws.dir, "out", `micro-${id}.json`), "utf8"));
    expect(micro.sandbox_branch).toBe(`codex/micro-${id}`);
    expect(micro.execution.status).toBe("success");
    expect(micro.changes.total_files).toBe(1);
    expect(micro.changes.within_budget).toBe(true);
    expect(micro.quality_gates.tests.status).toBe("pass");
    expect(micro.changes.complexity_delta).toBeNull(); // not measured, so not invented
    expect(ledgerLines(ws.dir)[0]).toMatchObject({ skill: "codex-micro", verification_passed: true });
    expect(readFileSync(path.join(ws.dir, "src/math.js"), "utf8")).toBe(BUGGY);
  });

  it("fails an edit over the micro budget with escalation advice and a failure pattern", async () => {
    ws = await makePatchWorkspace({ prerequisites: false });
    const many = Array.from({ length: 30 }, (_, i) => `// line ${i}`).join("\n");
    ws.server.enqueue(editFile("src/math.js", "  return a - b;", `${many}\n  return a + b;`), patchReply());
    const { id, result } = await runKind(ws, "micro", "Make add() add instead of subtract");
    expect(result.status).toBe("failed");
    expect(result.error.code).toBe("patch_limits");
    const micro = JSON.parse(await readFile(path.join(ws.dir, "out", `micro-${id}.json`), "utf8"));
    expect(micro.execution.status).toBe("failed");
    expect(micro.changes.within_budget).toBe(false);
    expect(micro.recommendations.escalate_to).toBeTruthy();
    const plan = 'codex-relay plan "Make add() add instead of subtract"';
    expect(result.error.hint).toContain(plan);
    expect(micro.recommendations.follow_up_actions).toContainEqual(expect.stringContaining(plan));
    const patterns = readFileSync(path.join(ws.dir, "out/failure-patterns.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(patterns).toHaveLength(1);
    expect(String(patterns[0].failure_category)).toContain("limits");
  });
});
