import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPrerequisites } from "../../src/patch/prerequisites.js";
import type { Diagnosis } from "../../src/protocol/diagnosis.js";
import { layoutFor } from "../../src/protocol/layout.js";
import { diagnosisReportName, renderDiagnosisReport, type DiagnosisReportInput } from "../../src/report/diagnosis-report.js";
import { loadTemplate } from "../../src/report/templates.js";
import { headings } from "../helpers/markdown-headings.js";
import { testdir } from "../helpers/testdir.js";

const diagnosis: Diagnosis = {
  root_cause: "The Redis pool holds 10 connections; 50 concurrent logins wait for one and time out after 5 s.",
  technical_explanation: "`createPool({ size: 10 })` in src/auth/redis-pool.ts caps connections; each login holds one for ~400 ms.",
  recommended_fix: "Raise `size` to 50 in src/auth/redis-pool.ts and pin the minimum in its test.",
  files_to_change: [
    { path: "src/auth/redis-pool.ts", reason: "the pool size lives here" },
    { path: "tests/auth/redis-pool.test.ts", reason: "pin the new minimum" },
  ],
  needs_write: true,
  risks: ["More connections raise Redis memory use by about 1 MB each."],
  verification_notes: "Run `npm test`; the timeout test covers the pool.",
  confidence: "high",
};

const input = (overrides: Partial<DiagnosisReportInput> = {}): DiagnosisReportInput => ({
  id: "20260105_105500",
  title: "Fix auth timeout",
  taskPacketPath: "progress/TASK_PACKET.md",
  createdAt: new Date("2026-01-05T10:55:00.900Z"),
  diagnosis,
  codexVersion: "0.169.0",
  model: "gpt-5-codex",
  threadId: "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
  ...overrides,
});

let template: string;
beforeAll(async () => {
  template = await loadTemplate("diagnosis-report.md", await testdir({}, { prefix: "relay-tpl-" }));
});

/** The ready-to-copy ROUTE_DECISION block of a report. */
function routeBlock(markdown: string): string {
  const match = /^(`{3,})markdown\n([\s\S]*?)\n\1$/m.exec(markdown);
  if (!match) throw new Error(`no ROUTE_DECISION block in:\n${markdown}`);
  return match[2]!;
}

describe("diagnosisReportName", () => {
  it("is codex-diagnosis-YYYYMMDD-HHMMSS.md in UTC", () => {
    expect(diagnosisReportName(new Date("2026-01-05T10:55:00.900Z"))).toBe("codex-diagnosis-20260105-105500.md");
    expect(diagnosisReportName(new Date("2026-01-05T23:30:00-02:00"))).toBe("codex-diagnosis-20260106-013000.md");
  });
});

describe("renderDiagnosisReport", () => {
  it("has the headings the patch workflow and people look for, in order", () => {
    const text = renderDiagnosisReport(input(), template);
    expect(headings(text)).toEqual([
      "# Diagnosis Report: Fix auth timeout",
      "## Root Cause",
      "## Technical Explanation",
      "## Recommended Fix",
      "## Files Expected To Change",
      "## Needs codex-rw",
      "## Risks",
      "## Verification Notes",
      "## Confidence",
    ]);
  });

  it("shows every field of the diagnosis and the run", () => {
    const text = renderDiagnosisReport(input(), template);
    expect(text).toContain("- **Timestamp**: 2026-01-05T10:55:00.900Z");
    expect(text).toContain("- **Task packet**: `progress/TASK_PACKET.md`");
    expect(text).toContain("- **Request id**: `20260105_105500`");
    expect(text).toContain("- **Codex**: version 0.169.0, model gpt-5-codex, thread 0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    expect(text).toContain(`## Root Cause\n\n${diagnosis.root_cause}\n`);
    expect(text).toContain(`## Technical Explanation\n\n${diagnosis.technical_explanation}\n`);
    expect(text).toContain(`## Recommended Fix\n\n${diagnosis.recommended_fix}\n`);
    expect(text).toContain("## Files Expected To Change\n\n- `src/auth/redis-pool.ts`: the pool size lives here\n- `tests/auth/redis-pool.test.ts`: pin the new minimum\n");
    expect(text).toContain("## Risks\n\n- More connections raise Redis memory use by about 1 MB each.\n");
    expect(text).toContain(`## Verification Notes\n\n${diagnosis.verification_notes}\n`);
    expect(text).toContain("## Confidence\n\nhigh\n");
  });

  it("says codex-rw is needed and offers a ROUTE_DECISION approving exactly the expected files", () => {
    const text = renderDiagnosisReport(input(), template);
    expect(text).toContain("**Yes**: applying this fix means Codex writes files");
    expect(routeBlock(text)).toBe(
      [
        "---",
        "permission: codex-rw",
        "approved_by:",
        "---",
        "",
        "# Route Decision: Fix auth timeout",
        "",
        "Diagnosis: out/codex-diagnosis-20260105-105500.md",
        "",
        "## Approved Files",
        "",
        "- src/auth/redis-pool.ts",
        "- tests/auth/redis-pool.test.ts",
      ].join("\n"),
    );
  });

  it("says no when Codex needs no write, and shows empty lists as such", () => {
    const text = renderDiagnosisReport(input({ diagnosis: { ...diagnosis, needs_write: false, files_to_change: [], risks: [] } }), template);
    expect(text).toContain("**No**: Codex judged that no file needs to change.");
    expect(text).toContain("## Files Expected To Change\n\n(none)\n");
    expect(text).toContain("## Risks\n\n(none named)\n");
    expect(routeBlock(text)).toContain("## Approved Files\n\n- (list the files Codex may change)");
  });

  it("reports an unknown Codex version as unknown", () => {
    expect(renderDiagnosisReport(input({ codexVersion: null, model: null, threadId: null }), template)).toContain("- **Codex**: version unknown\n");
  });

  describe("in a workspace, as the patch prerequisites read it", () => {
    async function workspace(route: string | null): Promise<string> {
      const dir = await testdir({}, { prefix: "relay-diag-" });
      const layout = layoutFor(dir);
      await mkdir(layout.out, { recursive: true });
      await mkdir(layout.progress, { recursive: true });
      const text = renderDiagnosisReport(input(), template);
      await writeFile(path.join(layout.out, diagnosisReportName(input().createdAt)), text);
      await writeFile(path.join(layout.progress, "TASK_PACKET.md"), "# Fix auth timeout\n\nLogins time out.\n\n## Verification\n\n```bash\nnpm test\n```\n");
      if (route !== null) await writeFile(path.join(layout.progress, "ROUTE_DECISION.md"), route);
      return dir;
    }

    it("counts as a diagnosis with a fix, and its block copied as-is approves nothing", async () => {
      const text = renderDiagnosisReport(input(), template);
      const checked = await checkPrerequisites(layoutFor(await workspace(routeBlock(text))), { requireDiagnosis: true, requireRoute: true });
      expect(checked.ok).toBe(false);
      if (checked.ok) return;
      expect(checked.missing.map((m) => m.what)).toEqual(["approval"]);
    });

    it("approves the expected files once a name is filled in after approved_by:", async () => {
      const route = routeBlock(renderDiagnosisReport(input(), template)).replace("approved_by:", "approved_by: Ana Lima");
      const checked = await checkPrerequisites(layoutFor(await workspace(route)), { requireDiagnosis: true, requireRoute: true });
      expect(checked.ok).toBe(true);
      if (!checked.ok) return;
      expect(checked.route?.permission).toBe("codex-rw");
      expect(checked.route?.approvedBy).toBe("Ana Lima");
      expect(checked.route?.approvedFiles).toEqual(["src/auth/redis-pool.ts", "tests/auth/redis-pool.test.ts"]);
      expect(checked.diagnosis?.path).toBe("out/codex-diagnosis-20260105-105500.md");
    });
  });
});
