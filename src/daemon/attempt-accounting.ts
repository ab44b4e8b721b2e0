// Which deaths of a daemon count against the request it was running (`daemon.max_attempts`).
// Only a death during the request's own in-daemon work (reading and parsing it, building its
// prompt, writing its RESULT) can be the request's doing; a daemon killed from outside (an OOM
// killer, a closed laptop, a user) while it only waited on Codex, which runs in a process group of
// its own, says nothing about the request. The claim records which of the two was going on.
import type { Layout } from "../protocol/layout.js";
import { recordCodexPid, recordPhase, type Claim, type DeadClaim } from "./claims.js";

/** The attempts that count against the request after its claim was recovered from a dead daemon. */
export function countedAttempts(dead: DeadClaim): number {
  // A claim without a phase (written by an older version) counts, as it always did.
  return dead.phase === "codex" ? dead.attempt - 1 : dead.attempt;
}

/**
 * The spawn callback for a request's Codex runs: records Codex's pid and the phase "codex" in the
 * claim when Codex starts, and the phase "request" again once it has exited. Synchronous rewrites
 * (see recordCodexPid): they finish before anything can release the claim. A failed rewrite is
 * reported, never thrown into the run.
 */
export function trackCodexPhase(layout: Layout, claim: Claim, now: () => Date, report: (error: unknown) => void): (pid: number) => () => void {
  const guarded = (write: () => void) => {
    try {
      write();
    } catch (error) {
      report(error);
    }
  };
  return (pid) => {
    guarded(() => recordCodexPid(layout, claim, pid, now()));
    return () => guarded(() => recordPhase(layout, claim, "request", now()));
  };
}
