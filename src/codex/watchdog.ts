// Four clocks over one Codex run: no thread by the start timeout, silence for the stall timeout,
// the wall-clock cap, and a provider that stays unreachable. Whichever fires first stops the run, once.
import type { StopReason } from "./outcome.js";

export interface WatchdogLimits {
  readonly start_timeout_s: number;
  readonly stall_timeout_s: number;
  readonly wall_timeout_s: number;
  readonly kill_grace_s: number;
  /** How long Codex may keep reconnecting with no other event; absent: no such limit. */
  readonly unreachable_s?: number;
}

/** What an event says: the thread started, the work moved, or only the connection is retrying. */
export type EventSign = "thread" | "work" | "connection";

export class Watchdog {
  #start: NodeJS.Timeout | undefined;
  #stall: NodeJS.Timeout | undefined;
  #unreachable: NodeJS.Timeout | undefined;
  readonly #wall: NodeJS.Timeout;
  readonly #limits: WatchdogLimits;
  readonly #fire: (reason: StopReason) => void;

  constructor(limits: WatchdogLimits, fire: (reason: StopReason) => void) {
    this.#limits = limits;
    this.#fire = fire;
    this.#start = setTimeout(() => fire("start_timeout"), limits.start_timeout_s * 1000);
    this.#wall = setTimeout(() => fire("wall_timeout"), limits.wall_timeout_s * 1000);
  }

  /**
   * Work proves life; the first `thread.started` proves the start. A reconnect is not life: Codex
   * emits one every few seconds while the provider is down, which used to keep the stall clock
   * from ever firing, so a dead provider ran into the wall-clock cap (30 minutes) in silence.
   */
  sawEvent(sign: EventSign): void {
    if (sign === "thread" && this.#start) {
      clearTimeout(this.#start);
      this.#start = undefined;
    }
    if (this.#start) return; // before the thread starts, the start timeout is the one that counts
    if (sign === "connection") {
      const limit = this.#limits.unreachable_s;
      if (limit !== undefined && !this.#unreachable) this.#unreachable = setTimeout(() => this.#fire("unreachable"), limit * 1000);
      if (!this.#stall) this.#stall = setTimeout(() => this.#fire("stall_timeout"), this.#limits.stall_timeout_s * 1000);
      return;
    }
    clearTimeout(this.#unreachable);
    this.#unreachable = undefined;
    if (this.#stall) this.#stall.refresh();
    else this.#stall = setTimeout(() => this.#fire("stall_timeout"), this.#limits.stall_timeout_s * 1000);
  }

  dispose(): void {
    clearTimeout(this.#start);
    clearTimeout(this.#stall);
    clearTimeout(this.#unreachable);
    clearTimeout(this.#wall);
  }
}
