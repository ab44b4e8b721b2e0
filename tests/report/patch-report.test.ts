import { beforeAll, describe, expect, it } from "vitest";
import type { FileChange, PatchRunReport } from "../../src/protocol/patch-run.js";
import { patchReportName, renderPatchReport } from "../../src/report/patch-report.js";
import { loadTemplate } from "../../src/report/templates.js";
import { headings } from "../helpers/markdown-headings.js";
import { abortedPatch, BASE, COMMIT, failedPatch, MICRO_LIMITS, passedMicro, passedPatch, run } from "../helpers/patch-run-fixtures.js";
import { testdir } from "../helpers/testdir.js";

let template: string;
beforeAll(async () => {
  // No override in an empty workspace templates folder: the shipped template.
  template = await loadTemplate("patch-report.md", await testdir({}, { prefix: "relay-tpl-" }));
});

const render = (report: PatchRunReport) => renderPatchReport(report, template);
/** The text of one `## NAME` section, up to the next `## ` heading or the end. */
function section(markdown: string, name: string): string {
  const start = markdown.indexOf(`\n## ${name}\n`);
  if (start < 0) throw new Error(`no section ${name} in:\n${markdown}`);
  const rest = markdown.slice(start + name.length + 5);
  const end = rest.search(/\n## /);
  return end < 0 ? rest : rest.slice(0, end);
}

describe("patchReportName", () => {
  it("names a passed run after its UTC start second, a failed or aborted one with FAILED", () => {
    expect(patchReportName(passedPatch())).toBe("codex-patch-20260105-111000.md");
    expect(patchReportName(failedPatch())).toBe("codex-patch-FAILED-20260105-120007.md");
    expect(patchReportName(abortedPatch())).toBe("codex-patch-FAILED-20260105-130000.md");
    // 23:59:59 in UTC-5 is already the next day in UTC.
    expect(patchReportName(passedPatch({ startedAt: new Date("2026-02-28T23:59:59-05:00") }))).toBe("codex-patch-20260301-045959.md");
  });
});

describe("a passed patch", () => {
  const markdown = () => render(passedPatch());

  it("has the spec's sections in order and no failure section", () => {
    expect(headings(markdown())).toEqual([
      "# Patch Report: Fix auth timeout",
      "## CHANGES APPLIED",
      "## LIMITS",
      "## GIT COMMIT",
      "## VERIFICATION RESULTS",
      "## ROLLBACK INSTRUCTIONS",
      "## NEXT STEPS",
    ]);
  });

  it("names the run: timestamp, executor, diagnosis, request id, base and branch", () => {
    const text = markdown();
    expect(text).toContain("- **Timestamp**: 2026-01-05T11:10:00.250Z");
    expect(text).toContain("- **Executor**: Codex (Read-Write Mode, sandbox worktree)");
    expect(text).toContain("- **Diagnosis**: `out/codex-diagnosis-20260105-105500.md`");
    expect(text).toContain("- **Request id**: `20260105_110000`");
    expect(text).toContain(`- **Base commit**: \`${BASE}\``);
    expect(text).toContain("- **Sandbox branch**: `codex/patch-20260105_110000`");
  });

  it("shows each file with its line counts, its own diff and its rationale", () => {
    const changes = section(markdown(), "CHANGES APPLIED");
    expect(changes).toContain("**Rationale**: The pool of 10 connections runs dry at peak load (per the diagnosis).");
    expect(changes).toContain(
      "### File: `src/auth/redis-pool.ts`\n\n**Lines changed**: 2 (+1 −1)\n\n```diff\ndiff --git a/src/auth/redis-pool.ts b/src/auth/redis-pool.ts\n",
    );
    expect(changes).toContain("-  size: 10,\n+  size: 50,\n   idleMs: 30_000,\n };\n```\n\n**Rationale**: Raise the pool size to 50 to serve 50 concurrent users.");
    expect(changes).toContain("### File: `tests/auth/redis-pool.test.ts`\n\n**Lines changed**: 4 (+4 −0)");
    expect(changes).toContain("**Rationale**: Pin the new minimum pool size.");
    // Each file's block holds only its own diff.
    const first = changes.slice(changes.indexOf("### File: `src/auth"), changes.indexOf("### File: `tests/auth"));
    expect(first).not.toContain("serves 50 concurrent users");
  });

  it("tabulates each limit against its value, all within", () => {
    const limits = section(markdown(), "LIMITS");
    expect(limits).toContain("| Files changed | 2 | ≤ 5 | ✅ |");
    expect(limits).toContain("| Lines changed, largest file | 4 (`tests/auth/redis-pool.test.ts`) | ≤ 50 per file | ✅ |");
    expect(limits).toContain("| Lines changed, total | 6 | ≤ 100 | ✅ |");
    expect(limits).toContain("| Approved files only | yes | 2 approved: `src/auth/redis-pool.ts`, `tests/auth/redis-pool.test.ts` | ✅ |");
    expect(limits).toContain("| Dependency changes | none | none allowed | ✅ |");
    expect(limits).toContain("| Protected paths | untouched | never changed | ✅ |");
    expect(limits).not.toContain("❌");
    expect(limits).not.toContain("Violations");
  });

  it("gives the commit: branch, sha and the whole message in a fence", () => {
    const commit = section(markdown(), "GIT COMMIT");
    expect(commit).toContain("- **Branch**: `codex/patch-20260105_110000`");
    expect(commit).toContain(`- **Commit**: \`${COMMIT}\``);
    expect(commit).toContain("```\nfix(auth): raise the Redis pool to 50 connections\n\nA pool of 10");
    expect(commit).toContain("Verification:\n- npm test (PASS)\n- npx tsc --noEmit (PASS)\n\nRequest: 20260105_110000\nCodex-Thread: 0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\n```");
  });

  it("lists each verification command with status, baseline and output tail", () => {
    const verification = section(markdown(), "VERIFICATION RESULTS");
    expect(verification).toContain(
      "### Command 1: `npm test`\n\n```bash\n$ npm test\n```\n\n- **Status**: ✅ PASS · exit 0 · 2345 ms\n- **Baseline**: ✅ PASS · exit 0 on the base commit\n- **Output** (tail):\n\n```\n ✓ tests/auth/redis-pool.test.ts (2 tests)\n Tests  12 passed (12)\n```",
    );
    expect(verification).toContain("### Command 2: `npx tsc --noEmit`");
    expect(verification).toContain("- **Output**: none");
  });

  it("says how to merge, discard and revert, and what to do next", () => {
    const text = markdown();
    const rollback = section(text, "ROLLBACK INSTRUCTIONS");
    expect(rollback).toContain("git merge --no-ff codex/patch-20260105_110000");
    expect(rollback).toContain("git branch -D codex/patch-20260105_110000");
    expect(rollback).toContain(`git revert ${COMMIT}`);
    const next = section(text, "NEXT STEPS");
    expect(next).toContain(`- [ ] Review the diff: \`git diff ${BASE} codex/patch-20260105_110000\``);
    expect(next).toContain("- [ ] Merge it: `git merge --no-ff codex/patch-20260105_110000`");
    expect(next).toContain("- [ ] Run the QA gate (qa-gate) on the merged result");
    expect(text).toContain("- **Codex runs**: 1 · version 0.169.0, model gpt-5-codex, thread 0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    expect(text).toContain("- **Timing**: setup 412 ms · Codex 48210 ms · verification 10545 ms · total 63750 ms");
  });

  it("says when the patch was merged, and stops offering to merge it", () => {
    const text = render(passedPatch({ merge: { merged: true, commit: "abc1234", reason: "the Builder's tree was clean and HEAD had not moved" } }));
    expect(section(text, "MERGE")).toContain("Merged into your branch with `git merge --no-ff` as `abc1234`: the Builder's tree was clean and HEAD had not moved");
    expect(section(text, "ROLLBACK INSTRUCTIONS")).not.toContain("git merge");
    expect(section(text, "NEXT STEPS")).toContain("- [x] Merged into your branch as `abc1234`");
    expect(section(text, "NEXT STEPS")).not.toContain("Merge it:");
  });

  it("says why it was not merged", () => {
    const text = render(passedPatch({ merge: { merged: false, commit: null, reason: "your HEAD moved while Codex worked" } }));
    expect(section(text, "MERGE")).toContain("Not merged: your HEAD moved while Codex worked");
  });

  it("warns about Builder overlap before anything else and does not suggest a blind merge", () => {
    const text = render(passedPatch({ overlap: ["src/auth/redis-pool.ts"] }));
    expect(headings(text)[1]).toBe("## BUILDER OVERLAP");
    const overlap = section(text, "BUILDER OVERLAP");
    expect(overlap).toContain("You changed these approved files in your own checkout while Codex worked:\n- `src/auth/redis-pool.ts`");
    expect(overlap).toContain("do not merge blindly");
    expect(section(text, "NEXT STEPS").split("\n").find((l) => l.startsWith("- ["))).toBe(
      "- [ ] Reconcile your own changes to `src/auth/redis-pool.ts` with the patch before merging; do not merge blindly",
    );
  });

  it("marks a pre-existing failure as not the patch's fault", () => {
    const report = passedPatch({
      verification: [
        {
          command: "npm run lint",
          baseline: run("npm run lint", "fail", "src/legacy.ts:3:1 error no-var", 1, 900),
          after: run("npm run lint", "fail", "src/legacy.ts:3:1 error no-var", 1, 950),
          verdict: "pre_existing",
        },
      ],
    });
    const text = render(report);
    expect(section(text, "VERIFICATION RESULTS")).toContain("- **Status**: ⚠️ FAIL (pre-existing: failed on the base commit too) · exit 1 · 950 ms");
    expect(section(text, "VERIFICATION RESULTS")).toContain("- **Baseline**: ❌ FAIL · exit 1 on the base commit");
    expect(section(text, "NEXT STEPS")).toContain("- [ ] Fix `npm run lint` separately: it already failed on the base commit");
  });

  it("keeps fences intact when a diff or a command holds backticks", () => {
    const readme: FileChange = {
      path: "README.md",
      oldPath: null,
      status: "modified",
      added: 3,
      removed: 0,
      binary: false,
      dependencyChange: false,
      diff: "--- a/README.md\n+++ b/README.md\n@@ -1 +1,4 @@\n # App\n+```ts\n+start();\n+```\n",
    };
    const report = passedPatch({
      diff: { files: [readme], totalLines: 3, patch: readme.diff },
      verification: [{ command: "node -e 'console.log(`ok`)'", baseline: null, after: run("x", "pass", "ok", 0), verdict: "pass" }],
    });
    const text = render(report);
    expect(text).toContain("````diff\n--- a/README.md\n+++ b/README.md\n@@ -1 +1,4 @@\n # App\n+```ts\n+start();\n+```\n````");
    expect(text).toContain("### Command 1: ``node -e 'console.log(`ok`)'``");
    expect(text).toContain("- **Baseline**: not run");
    expect(text).toContain("**Rationale**: none given by Codex");
  });
});

describe("a failed patch", () => {
  const markdown = () => render(failedPatch());

  it("is marked FAILED and has the rollback section instead of a commit", () => {
    expect(headings(markdown())).toEqual([
      "# Patch Report: Fix auth timeout [FAILED]",
      "## WHAT FAILED",
      "## CHANGES ATTEMPTED",
      "## LIMITS",
      "## ROLLBACK PERFORMED",
      "## VERIFICATION RESULTS",
      "## NEXT STEPS",
    ]);
    expect(markdown()).toContain("- **Status**: FAILED: rolled back, nothing reached a branch");
  });

  it("says what failed, with the code and what to do", () => {
    const failed = section(markdown(), "WHAT FAILED");
    expect(failed).toContain("- **Code**: `verification_failed`");
    expect(failed).toContain("- **What failed**: `npm test` passed on the base commit and fails after the patch (exit 1), also after 1 repair attempt.");
  });

  it("says the Builder's checkout was not touched and gives the exact commands for the kept attempt", () => {
    const rollback = section(markdown(), "ROLLBACK PERFORMED");
    expect(rollback).toContain("The sandbox worktree was reset and removed; nothing touched your checkout");
    expect(rollback).toContain(
      "The failed attempt is kept at `refs/codex-relay/failed/20260105_110000` and in `.autonomous_runs/.relay/failed/20260105_110000.patch`",
    );
    expect(rollback).toContain(`git diff ${BASE} refs/codex-relay/failed/20260105_110000`);
    expect(rollback).toContain("git apply .autonomous_runs/.relay/failed/20260105_110000.patch");
    expect(rollback).toContain("git update-ref -d refs/codex-relay/failed/20260105_110000");
  });

  it("shows the broken command against its passing baseline, and the pre-existing one apart", () => {
    const verification = section(markdown(), "VERIFICATION RESULTS");
    expect(verification).toContain("- **Status**: ❌ FAIL · exit 1 · 2400 ms\n- **Baseline**: ✅ PASS · exit 0 on the base commit");
    expect(verification).toContain("AssertionError: expected 1000 to be 5000");
    expect(verification).toContain("- **Status**: ⚠️ FAIL (pre-existing: failed on the base commit too) · exit 1 · 950 ms");
  });

  it("points to re-diagnosis, reports 2 Codex runs and unmeasured timing as such", () => {
    const text = markdown();
    expect(section(text, "NEXT STEPS")).toContain("- [ ] Re-diagnose with the failing output above (`codex-relay diagnose`), then patch again");
    expect(section(text, "NEXT STEPS")).toContain(`- [ ] Inspect the failed attempt: \`git diff ${BASE} refs/codex-relay/failed/20260105_110000\``);
    expect(text).toContain("- **Codex runs**: 2 ·");
    expect(text).toContain("- **Timing**: setup 380 ms · Codex 90120 ms · verification not measured · total 113000 ms");
  });

  it("shows a timeout as such", () => {
    const report = failedPatch({
      verification: [{ command: "npm test", baseline: run("npm test", "pass", "", 0), after: run("npm test", "timeout", "still running…", null, 120000), verdict: "broken" }],
    });
    expect(section(render(report), "VERIFICATION RESULTS")).toContain("- **Status**: ⏱ TIMEOUT · 120000 ms");
  });

  it("says so when nothing of the attempt was kept", () => {
    expect(section(render(failedPatch({ failedRef: null, patchFile: null })), "ROLLBACK PERFORMED")).toContain("Nothing from the failed attempt was kept.");
  });
});

describe("a patch over the limits", () => {
  const big = (file: string, lines: number): FileChange => ({
    path: file,
    oldPath: null,
    status: "modified",
    added: lines,
    removed: 0,
    binary: false,
    dependencyChange: false,
    diff: `--- a/${file}\n+++ b/${file}\n@@ -1 +1,${lines} @@\n${"+x\n".repeat(lines)}`,
  });
  const report = failedPatch({
    diff: {
      files: [big("src/a.ts", 60), big("src/b.ts", 5), { ...big("package.json", 1), dependencyChange: true }],
      totalLines: 66,
      patch: "",
    },
    verification: [{ command: "npm test", baseline: null, after: null, verdict: "not_run" }],
    violations: [
      { code: "file_too_large", file: "src/a.ts", limit: 50, actual: 60, message: "src/a.ts changed 60 lines; at most 50 per file." },
      { code: "unapproved_file", file: "src/b.ts", limit: null, actual: null, message: "src/b.ts is not in the approved files." },
      { code: "dependency_change", file: "package.json", limit: null, actual: null, message: "package.json changes dependencies." },
    ],
    failure: { code: "patch_limits", message: "The change broke 3 patch limits.", hint: "split the task" },
  });

  it("marks each broken limit and lists each violation", () => {
    const limits = section(render(report), "LIMITS");
    expect(limits).toContain("| Files changed | 3 | ≤ 5 | ✅ |");
    expect(limits).toContain("| Lines changed, largest file | 60 (`src/a.ts`) | ≤ 50 per file | ❌ |");
    expect(limits).toContain("| Lines changed, total | 66 | ≤ 100 | ✅ |");
    expect(limits).toContain("| Approved files only | no: `src/b.ts` |");
    expect(limits).toContain("| Dependency changes | `package.json` | none allowed | ❌ |");
    expect(limits).toContain(
      "Violations:\n- ❌ src/a.ts changed 60 lines; at most 50 per file.\n- ❌ src/b.ts is not in the approved files.\n- ❌ package.json changes dependencies.",
    );
    expect(limits.split("\n").find((l) => l.startsWith("| Approved files only"))).toMatch(/❌ \|$/);
  });

  it("shows the unrun verification and next steps for each violation", () => {
    const text = render(report);
    expect(section(text, "VERIFICATION RESULTS")).toContain("- **Status**: — NOT RUN");
    const next = section(text, "NEXT STEPS");
    expect(next).toContain("- [ ] The change is too big for one patch: plan progress/TASK_PACKET.md as small verified steps with `codex-relay plan`");
    expect(next).toContain("- [ ] If `src/b.ts` must change, add it to `## Approved Files` in progress/ROUTE_DECISION.md; otherwise re-diagnose");
    expect(next).toContain("- [ ] Dependency changes need a person: make them yourself, then re-run");
    expect(next).not.toContain("Re-diagnose with the failing output");
  });

  it("tells a micro edit over its limits to escalate", () => {
    const micro = { ...report, kind: "micro" as const, limits: MICRO_LIMITS };
    const text = render(micro);
    expect(headings(text)[0]).toBe("# Micro Edit Report: Fix auth timeout [FAILED]");
    expect(text).toContain("| Files changed | 3 | ≤ 2 | ❌ |");
    expect(section(text, "NEXT STEPS")).toContain('The change is too big for a micro edit: plan it as small verified steps with `codex-relay plan "Fix auth timeout"`');
  });
});

describe("an aborted patch", () => {
  const markdown = () => render(abortedPatch());

  it("names each missing prerequisite with its fix and shows no changes, limits or verification", () => {
    const text = markdown();
    expect(headings(text)).toEqual(["# Patch Report: Fix auth timeout [FAILED]", "## MISSING PREREQUISITES", "## WHAT FAILED", "## NEXT STEPS"]);
    expect(text).toContain("- **Status**: ABORTED: the patch did not run, nothing was changed");
    const missing = section(text, "MISSING PREREQUISITES");
    expect(missing).toContain("### route_decision (`progress/ROUTE_DECISION.md`)");
    expect(missing).toContain("- **Problem**: progress/ROUTE_DECISION.md does not exist.");
    expect(missing).toContain("- **Fix**: Write progress/ROUTE_DECISION.md with `permission: codex-rw`");
  });

  it("lists the fixes, then the re-run, as next steps; nothing was measured", () => {
    const text = markdown();
    expect(section(text, "NEXT STEPS").trim().split("\n")).toEqual([
      "- [ ] Write progress/ROUTE_DECISION.md with `permission: codex-rw`, `approved_by:` and an `## Approved Files` list.",
      "- [ ] Re-run the patch (`codex-relay patch`)",
      "",
      "---",
      "",
      "- **Codex runs**: 0 · version 0.169.0",
      "- **Timing**: setup not measured · Codex not measured · verification not measured · total 120 ms",
    ]);
  });
});

describe("a micro edit", () => {
  it("renders with its change description instead of a diagnosis", () => {
    const text = render(passedMicro());
    expect(headings(text)[0]).toBe("# Micro Edit Report: Add null check to user email validation");
    expect(text).toContain("- **Change**: Add null check to user email validation");
    expect(text).not.toContain("**Diagnosis**");
    expect(text).toContain("| Approved files only | yes | any file | ✅ |");
    expect(text).toContain("| Files changed | 1 | ≤ 2 | ✅ |");
  });
});
