// The attempt loop's decisions, without Codex: limits first, then pass, repair or give up.
import { describe, expect, it } from "vitest";
import { limitsFailure, verificationVerdict } from "../../src/patch/attempt-verdict.js";
import type { CommandRun, LimitViolation, VerificationCheck } from "../../src/protocol/patch-run.js";

const run = (command: string, status: CommandRun["status"], exitCode: number | null): CommandRun => ({ command, argv: command.split(" "), status, exitCode, durationMs: 5, outputTail: "" });
const check = (command: string, verdict: VerificationCheck["verdict"]): VerificationCheck => ({
  command,
  baseline: run(command, verdict === "pre_existing" ? "fail" : "pass", verdict === "pre_existing" ? 1 : 0),
  after: verdict === "not_run" ? null : run(command, verdict === "pass" ? "pass" : "fail", verdict === "pass" ? 0 : 1),
  verdict,
});

describe("limitsFailure", () => {
  it("is null within the limits and a patch_limits error naming every violation otherwise", () => {
    expect(limitsFailure([])).toBeNull();
    const violations: LimitViolation[] = [
      { code: "too_many_files", file: null, limit: 2, actual: 3, message: "3 files changed, limit 2" },
      { code: "unapproved_file", file: "src/util.js", limit: null, actual: null, message: "src/util.js is not approved" },
    ];
    const error = limitsFailure(violations);
    expect(error?.code).toBe("patch_limits");
    expect(error?.message).toBe("the change breaks 2 limit(s): 3 files changed, limit 2; src/util.js is not approved");
  });
});

describe("verificationVerdict", () => {
  it("passes when nothing broke, pre-existing failures included", () => {
    expect(verificationVerdict([check("node test.js", "pass"), check("node lint.js", "pre_existing")], 1, 2)).toEqual({ kind: "pass" });
  });

  it("asks for a repair while Codex runs remain, naming the broken commands", () => {
    const verdict = verificationVerdict([check("node test.js", "broken"), check("node lint.js", "pass")], 1, 2);
    expect(verdict.kind).toBe("repair");
    expect(verdict.kind !== "pass" && verdict.error.message).toBe("verification broke after 1 attempt(s): `node test.js`");
  });

  it("gives up on the last run, counting the runs made", () => {
    const verdict = verificationVerdict([check("node test.js", "broken")], 2, 2);
    expect(verdict.kind).toBe("fail");
    expect(verdict.kind !== "pass" && verdict.error.code).toBe("verification_failed");
    expect(verdict.kind !== "pass" && verdict.error.message).toBe("verification broke after 2 attempt(s): `node test.js`");
  });

  it("fails a command that did not run after the change", () => {
    expect(verificationVerdict([check("node test.js", "not_run")], 1, 1).kind).toBe("fail");
  });
});
