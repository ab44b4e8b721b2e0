// Plans end to end, through the built CLI: the REAL codex binary drafts a plan read-only (the
// scripted model returns it) and then carries out each step in a sandbox worktree (apply_patch
// calls), real git, real verification commands, each step a commit on the one before it.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Reply } from "../fixtures/model-server.js";
import { FIXED } from "../fixtures/patch-project.js";
import { BROKEN_STEP_2, CHECK_JS, GOAL, PLAN_ROUTE_DECISION, planReply, STEP_REPLIES } from "../fixtures/plan-project.js";
import { git } from "../helpers/gitdir.js";
import { makePatchWorkspace } from "../helpers/patch-workspace.js";
import type { TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace;
afterEach(async () => {
  await ws?.cleanup();
});

const CLI_TIMEOUT = 180_000;

/** The demo project plus check.js, committed; no task packet or approval. */
async function planWorkspace(toml?: string): Promise<TestWorkspace> {
  const made = await makePatchWorkspace({ prerequisites: false, ...(toml === undefined ? {} : { toml }) });
  await writeFile(path.join(made.dir, "check.js"), CHECK_JS);
  git(made.dir, "add", "check.js");
  git(made.dir, "commit", "-qm", "a checker");
  return made;
}

/** `codex-relay plan "<goal>" --wait`, then the plan's id (its folder under progress/plans/). */
async function draftPlan(): Promise<string> {
  ws.server.enqueue(planReply());
  const drafted = await ws.cli(["plan", GOAL, "--wait"], { timeoutMs: CLI_TIMEOUT });
  expect(drafted.exitCode, drafted.stderr).toBe(0);
  const [id, ...others] = await readdir(path.join(ws.dir, "progress/plans"));
  expect(others).toEqual([]);
  expect(drafted.stdout).toContain(`codex-relay plan run ${id}`);
  return id!;
}

/** The commits of the plan branch past the Builder's HEAD, oldest first: sha, parent, message. */
function planCommits(id: string): { sha: string; parent: string; message: string }[] {
  const head = git(ws.dir, "rev-parse", "HEAD").trim();
  const shas = git(ws.dir, "rev-list", "--reverse", `${head}..codex/plan-${id}`).trim().split("\n").filter(Boolean);
  return shas.map((sha) => ({ sha, parent: git(ws.dir, "rev-parse", `${sha}^`).trim(), message: git(ws.dir, "log", "-1", "--format=%B", sha) }));
}

async function planRunReports(): Promise<string[]> {
  const names = (await readdir(path.join(ws.dir, "out"))).filter((n) => /^codex-plan-run-\d{8}-\d{6}\.md$/.test(n)).sort();
  return Promise.all(names.map((n) => readFile(path.join(ws.dir, "out", n), "utf8")));
}

describe("codex-relay plan", () => {
  it("drafts PLAN.md and one task packet per step, then runs three steps to three stacked verified commits on codex/plan-<id>", async () => {
    ws = await planWorkspace();
    const id = await draftPlan();
    const dir = path.join(ws.dir, "progress/plans", id);
    expect(readdirSync(dir).sort()).toEqual(["PLAN.md", "step-01.md", "step-02.md", "step-03.md"]);
    const plan = readFileSync(path.join(dir, "PLAN.md"), "utf8");
    expect(plan).toContain("# Plan: Fix the math helpers");
    expect(plan).toContain("[Export two](step-02.md)");
    // The approval to copy covers the union of the steps' files, and approves nothing as it is.
    expect(plan).toMatch(/approved_by:\n---[\s\S]*## Approved Files\n\n- src\/math\.js\n- src\/util\.js\n/);
    const step2 = readFileSync(path.join(dir, "step-02.md"), "utf8");
    expect(step2).toContain("# Export two");
    expect(step2).toContain("- `src/util.js` — the new constant");
    expect(step2).toMatch(/## Verification\n```\nnode check\.js src\/util\.js one 1\nnode check\.js src\/util\.js two 2\n```/);
    // The plan was made read-only: the Builder's checkout has no new commit and no new branch.
    expect(git(ws.dir, "branch", "--list", "codex/*")).toBe("");

    await writeFile(path.join(dir, "ROUTE_DECISION.md"), PLAN_ROUTE_DECISION);
    const head = git(ws.dir, "rev-parse", "HEAD").trim();
    ws.server.enqueue(...STEP_REPLIES[1], ...STEP_REPLIES[2], ...STEP_REPLIES[3]);
    const ran = await ws.cli(["plan", "run", id], { timeoutMs: CLI_TIMEOUT });
    expect(ran.exitCode, `${ran.stdout}\n${ran.stderr}`).toBe(0);
    expect(ran.stdout).toContain(`steps 1–3 of 3 committed on codex/plan-${id}`);

    const commits = planCommits(id);
    expect(commits).toHaveLength(3);
    expect(commits.map((c) => c.parent)).toEqual([head, commits[0]!.sha, commits[1]!.sha]);
    expect(commits.map((c) => c.message.split("\n")[0])).toEqual(["feat(math): fix add", "feat(math): export two", "feat(math): add sub"]);
    commits.forEach((c, i) => {
      expect(c.message).toContain(`Codex-Relay-Plan-Step: ${id} ${i + 1}/3`);
      expect(c.message).toMatch(/Verification:\n- node (test|check)\.js.* \(PASS\)/);
    });
    expect(git(ws.dir, "show", `${commits[0]!.sha}:src/math.js`)).toBe(FIXED);
    expect(git(ws.dir, "show", `codex/plan-${id}:src/util.js`)).toBe("export const one = 1;\nexport const two = 2;\n");
    expect(git(ws.dir, "show", `codex/plan-${id}:src/math.js`)).toContain("export function sub(a, b)");
    // The Builder's checkout is untouched: same HEAD, same files.
    expect(git(ws.dir, "rev-parse", "HEAD").trim()).toBe(head);
    expect(readFileSync(path.join(ws.dir, "src/util.js"), "utf8")).toBe("export const one = 1;\n");
    const [report] = await planRunReports();
    expect(report).toContain("PASSED: steps 1–3 committed");
    expect(report).toContain(`git merge --no-ff codex/plan-${id}`);
    const ledger = readFileSync(path.join(ws.dir, "progress/ledger.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(ledger.map((l) => l.verification_passed)).toEqual([true, true, true]);
    expect(ledger.map((l) => l.input)).toEqual([1, 2, 3].map((n) => `progress/plans/${id}/step-0${n}.md`));
    // Each step's own patch report names the plan's approval, not progress/ROUTE_DECISION.md.
    const stepReport = readFileSync(path.join(ws.dir, ledger[0].output), "utf8");
    expect(stepReport).toContain(`- **Route decision**: \`progress/plans/${id}/ROUTE_DECISION.md\``);
  });

  it("stops at a step that fails verification with a report naming it and the resume command; --from 2 finishes on top of step 1", async () => {
    ws = await planWorkspace();
    const id = await draftPlan();
    await writeFile(path.join(ws.dir, "progress/plans", id, "ROUTE_DECISION.md"), PLAN_ROUTE_DECISION);
    ws.server.enqueue(...STEP_REPLIES[1], ...BROKEN_STEP_2);
    const stopped = await ws.cli(["plan", "run", id], { timeoutMs: CLI_TIMEOUT });
    expect(stopped.exitCode).toBe(1);
    const resume = `codex-relay plan run ${id} --from 2`;
    expect(stopped.stdout).toContain(`stopped at step 2 of 3 (Export two)`);
    expect(stopped.stdout).toContain(resume);
    const [report] = await planRunReports();
    expect(report).toContain("[STOPPED AT STEP 2]");
    expect(report).toMatch(/\| 2 \| Export two \| failed \|/);
    expect(report).toMatch(/\| 3 \| Add sub\(\) \| not run \|/);
    expect(report).toContain(resume);
    // Step 1 stays committed; step 2's attempt is kept for inspection, not on the branch.
    const [step1, ...rest] = planCommits(id);
    expect(rest).toEqual([]);
    expect(step1!.message).toContain(`Codex-Relay-Plan-Step: ${id} 1/3`);
    expect(git(ws.dir, "for-each-ref", "--format=%(refname)", "refs/codex-relay/failed/").trim()).not.toBe("");

    ws.server.enqueue(...STEP_REPLIES[2], ...STEP_REPLIES[3]);
    const resumed = await ws.cli(["plan", "run", id, "--from", "2"], { timeoutMs: CLI_TIMEOUT });
    expect(resumed.exitCode, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    const commits = planCommits(id);
    expect(commits).toHaveLength(3);
    expect(commits[0]!.sha).toBe(step1!.sha);
    expect(commits[1]!.parent).toBe(step1!.sha);
    expect(commits[2]!.message).toContain(`Codex-Relay-Plan-Step: ${id} 3/3`);
    expect(git(ws.dir, "show", `codex/plan-${id}:src/util.js`)).toBe("export const one = 1;\nexport const two = 2;\n");
    const reports = await planRunReports();
    expect(reports.at(-1)).toContain("PASSED: steps 2–3 committed");
  });
});

describe("[budget] patch_tokens", () => {
  it("caps each step's Codex run as it caps a patch: the step that crosses it stops the run, and the RESULT and report name the cap", async () => {
    ws = await planWorkspace("[budget]\npatch_tokens = 1000\n");
    const id = await draftPlan();
    await writeFile(path.join(ws.dir, "progress/plans", id, "ROUTE_DECISION.md"), PLAN_ROUTE_DECISION);
    const [edit, done] = STEP_REPLIES[2];
    const costly = { ...edit!, usage: { input_tokens: 1200, cached_tokens: 0, output_tokens: 30, reasoning_tokens: 0 } } as Reply;
    ws.server.enqueue(...STEP_REPLIES[1], costly, done!);
    const stopped = await ws.cli(["plan", "run", id, "--json"], { timeoutMs: CLI_TIMEOUT });
    const result = JSON.parse(stopped.stdout);
    expect([stopped.exitCode, result.status, result.error.code]).toEqual([1, "failed", "budget_exceeded"]);
    expect(result.error.message).toContain(`plan ${id} stopped at step 2 of 3`);
    expect(result.error.message).toMatch(/spent \d+ tokens of the 1000 allowed by `budget.patch_tokens`/);
    const [report] = await planRunReports();
    expect(report).toContain("[STOPPED AT STEP 2]");
    expect(report).toContain("budget.patch_tokens");
    expect(planCommits(id)).toHaveLength(1); // step 1, under the cap, stays committed
  });
});

/** Every path under `dir` with its size and mtime, and every ref: what "created nothing" compares. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const file = path.join(at, name);
      const stat = statSync(file);
      out.push(`${path.relative(dir, file)} ${stat.isDirectory() ? "dir" : `${stat.size} ${stat.mtimeMs}`}`);
      if (stat.isDirectory() && name !== ".git") walk(file);
    }
  };
  walk(dir);
  return [...out.sort(), ...git(dir, "for-each-ref", "--format=%(refname) %(objectname)").split("\n")];
}

describe("codex-relay plan with a bad plan id or arguments", () => {
  it("says what is wrong, exits 2 and creates nothing", async () => {
    ws = await planWorkspace();
    // A plan of one step, written by hand, for the --from case.
    const id = "20260101_120000";
    const planDir = path.join(ws.dir, "progress/plans", id);
    await mkdir(planDir, { recursive: true });
    await writeFile(path.join(planDir, "PLAN.md"), "# Plan: by hand\n");
    await writeFile(path.join(planDir, "step-01.md"), "# Fix add()\n\n## Files\n- src/math.js\n\n## Verification\n- `node test.js`\n");
    const before = snapshot(ws.dir);

    const cases: [string[], RegExp][] = [
      [["plan", "run", "20990101_000000"], /no plan 20990101_000000: progress\/plans\/20990101_000000\/PLAN\.md does not exist; nothing was written[\s\S]*nearest: 20260101_120000/],
      [["plan", "run", "../../etc"], /`\.\.\/\.\.\/etc` is not a plan id/],
      [["plan", "run", id, "--from", "2"], /--from 2: plan 20260101_120000 has steps 1 to 1/],
      [["plan", "run"], /name the plan to run/],
      [["plan"], /say what to plan: codex-relay plan "<goal>" \(or write progress\/TASK_PACKET\.md/],
      [["plan", "a goal", "--from", "2"], /--from and --detach go with `plan run <id>`/],
    ];
    for (const [args, message] of cases) {
      const result = await ws.cli(args);
      expect(result.exitCode, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(snapshot(ws.dir)).toEqual(before);
    expect(existsSync(path.join(ws.dir, "progress/plans/20990101_000000"))).toBe(false);
    expect(ws.server.requests).toHaveLength(0);
  });
});
