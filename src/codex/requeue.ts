// What an aborted request signal means. `Requeue` is the abort reason (and the thrown error) that
// ends a run without a RESULT so the request runs again: the daemon shutting down, or the request
// changing under a running Codex (an editor still writing it). Any other reason is a cancel.
import { RelayError } from "../errors.js";

export class Requeue extends Error {
  readonly why: "shutdown" | "restart";

  constructor(why: "shutdown" | "restart") {
    super(why === "shutdown" ? "the daemon is shutting down; the request runs again" : "the request changed while it ran; it runs again");
    this.name = "Requeue";
    this.why = why;
  }
}

/** The Requeue a signal was aborted with, or null (not aborted, or cancelled). */
export function requeueOf(signal: AbortSignal | undefined): Requeue | null {
  return signal?.aborted && signal.reason instanceof Requeue ? signal.reason : null;
}

/** Throws when the signal is aborted: its Requeue, or a `cancelled` error that says `when`. */
export function throwIfAborted(signal: AbortSignal | undefined, when: string): void {
  if (!signal?.aborted) return;
  throw requeueOf(signal) ?? new RelayError("cancelled", `the request was cancelled ${when}`);
}
