// The watchdog's clocks under fake timers: pure timer logic, no process involved.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StopReason } from "../../src/codex/outcome.js";
import { Watchdog } from "../../src/codex/watchdog.js";

const LIMITS = { start_timeout_s: 60, stall_timeout_s: 300, wall_timeout_s: 1800, kill_grace_s: 5, unreachable_s: 60 };

describe("Watchdog", () => {
  let fired: StopReason[];
  let dog: Watchdog;
  beforeEach(() => {
    vi.useFakeTimers();
    fired = [];
  });
  afterEach(() => {
    dog.dispose();
    vi.useRealTimers();
  });

  it("a provider that keeps reconnecting ends the run after unreachable_s, not after the wall clock", () => {
    dog = new Watchdog(LIMITS, (reason) => fired.push(reason));
    dog.sawEvent("thread");
    dog.sawEvent("work"); // turn.started
    for (let s = 0; s < 59; s += 4) {
      vi.advanceTimersByTime(4_000);
      dog.sawEvent("connection");
    }
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(8_000); // 60 s after the first reconnect
    expect(fired).toEqual(["unreachable"]);
  });

  it("reconnects never refresh the stall clock", () => {
    dog = new Watchdog({ ...LIMITS, unreachable_s: undefined }, (reason) => fired.push(reason));
    dog.sawEvent("thread");
    dog.sawEvent("work");
    for (let i = 0; i < 6; i += 1) {
      vi.advanceTimersByTime(45_000); // Codex's reconnect interval while the network is down
      dog.sawEvent("connection");
    }
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(31_000); // 301 s after the last sign of work
    expect(fired).toEqual(["stall_timeout"]);
  });

  it("model output after a reconnect clears the unreachable clock", () => {
    dog = new Watchdog(LIMITS, (reason) => fired.push(reason));
    dog.sawEvent("thread");
    dog.sawEvent("connection");
    vi.advanceTimersByTime(50_000);
    dog.sawEvent("work"); // the provider came back
    vi.advanceTimersByTime(50_000);
    dog.sawEvent("connection");
    vi.advanceTimersByTime(50_000);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual(["unreachable"]);
  });

  it("before the thread starts, only the start timeout counts", () => {
    dog = new Watchdog(LIMITS, (reason) => fired.push(reason));
    dog.sawEvent("connection");
    vi.advanceTimersByTime(60_000);
    expect(fired).toEqual(["start_timeout"]);
  });
});
