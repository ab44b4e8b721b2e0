// Three clocks over one Codex run: no thread by the start timeout, silence for the stall timeout,
// or the wall-clock cap. Whichever fires first stops the run, once.
import type { StopReason } from "./outcome.js";

export interface WatchdogLimits {
  readonly start_timeout_s: number;
  readonly stall_timeout_s: number;
  readonly wall_timeout_s: number;
  readonly kill_grace_s: number;
}

export class Watchdog {
  #start: NodeJS.Timeout | undefined;
  #stall: NodeJS.Timeout | undefined;
  readonly #wall: NodeJS.Timeout;
  readonly #limits: WatchdogLimits;
  readonly #fire: (reason: StopReason) => void;

  constructor(limits: WatchdogLimits, fire: (reason: StopReason) => void) {
    this.#limits = limits;
    this.#fire = fire;
    this.#start = setTimeout(() => fire("start_timeout"), limits.start_timeout_s * 1000);
    this.#wall = setTimeout(() => fire("wall_timeout"), limits.wall_timeout_s * 1000);
  }

  /** Any event proves life; the first `thread.started` proves the start. */
  sawEvent(threadStarted: boolean): void {
    if (threadStarted && this.#start) {
      clearTimeout(this.#start);
      this.#start = undefined;
    }
    if (this.#start) return; // before the thread starts, the start timeout is the one that counts
    if (this.#stall) this.#stall.refresh();
    else this.#stall = setTimeout(() => this.#fire("stall_timeout"), this.#limits.stall_timeout_s * 1000);
  }

  dispose(): void {
    clearTimeout(this.#start);
    clearTimeout(this.#stall);
    clearTimeout(this.#wall);
  }
}
