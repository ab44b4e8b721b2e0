import { describe, expect, it } from "vitest";
import { planCommand, planRunCommand, sizeAdvice } from "../../src/report/plan-command.js";

describe("the plan commands a report hands over", () => {
  it("quotes the goal for a POSIX shell, on one line", () => {
    expect(planCommand("add a null check")).toBe('codex-relay plan "add a null check"');
    expect(planCommand('say "hi" to $USER\nand `whoami` \\ done')).toBe('codex-relay plan "say \\"hi\\" to \\$USER and \\`whoami\\` \\\\ done"');
    expect(planCommand(null)).toBe("codex-relay plan");
    expect(planRunCommand("20260101_120000")).toBe("codex-relay plan run 20260101_120000");
    expect(planRunCommand("20260101_120000", 3)).toBe("codex-relay plan run 20260101_120000 --from 3");
  });

  it("advises a plan only for the size limits, and a step to split its plan's step", () => {
    const run = { kind: "patch" as const, title: "Fix it", taskPacketPath: "progress/TASK_PACKET.md" };
    expect(sizeAdvice({ ...run, violations: [{ code: "unapproved_file" }] })).toBeNull();
    expect(sizeAdvice({ ...run, violations: [{ code: "too_many_lines" }] })).toContain("`codex-relay plan`");
    expect(sizeAdvice({ ...run, kind: "micro", taskPacketPath: null, violations: [{ code: "too_many_files" }] })).toContain('`codex-relay plan "Fix it"`');
    expect(sizeAdvice({ ...run, taskPacketPath: "progress/plans/20260101_120000/step-02.md", violations: [{ code: "file_too_large" }] })).toBe(
      "The step is too big for one patch: split progress/plans/20260101_120000/step-02.md into smaller steps of its plan, then resume the plan from it",
    );
  });
});
