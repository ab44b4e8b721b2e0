// The attempt loop's decisions, pure: whether a change breaks the limits, and after verification
// whether to commit it, send the failures back to Codex for a repair, or give up.
import { RelayError } from "../errors.js";
import type { LimitViolation, VerificationCheck } from "../protocol/patch-run.js";
import { sizeAdvice, type SizedRun } from "../report/plan-command.js";
import { verificationPassed } from "./verification.js";

/**
 * The patch_limits failure of a change, or null when it is within every limit. A change too big
 * for one patch is told to become a plan, with the exact command (`run` says what was asked).
 */
export function limitsFailure(violations: readonly LimitViolation[], run?: Omit<SizedRun, "violations">): RelayError | null {
  if (violations.length === 0) return null;
  const advice = run ? sizeAdvice({ ...run, violations }) : null;
  return new RelayError("patch_limits", `the change breaks ${violations.length} limit(s): ${violations.map((v) => v.message).join("; ")}`, advice ? { hint: `${advice}.` } : {});
}

export type Verdict = { readonly kind: "pass" } | { readonly kind: "repair" | "fail"; readonly error: RelayError };

/** After Codex run `attempt` of `attempts`: pass, repair (runs remain), or fail. */
export function verificationVerdict(checks: readonly VerificationCheck[], attempt: number, attempts: number): Verdict {
  if (verificationPassed(checks)) return { kind: "pass" };
  const broken = checks.filter((c) => c.verdict === "broken").map((c) => `\`${c.command}\``);
  const error = new RelayError("verification_failed", `verification broke after ${attempt} attempt(s): ${broken.join(", ")}`);
  return { kind: attempt < attempts ? "repair" : "fail", error };
}
