// Work that follows a RESULT but must not hold up the next request (the audit commit): started at
// once, awaited only when the process is about to exit.
export class BackgroundTasks {
  readonly #pending = new Set<Promise<void>>();

  /** Start `task` now; its failure is the task's own business (it logs), never the caller's. */
  run(task: () => Promise<void>): void {
    const promise = task()
      .catch(() => undefined) // tasks report their own errors; an escaped one must not crash the daemon
      .finally(() => this.#pending.delete(promise));
    this.#pending.add(promise);
  }

  /** Resolves when every task started so far (and any they started) has finished. */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }
}
