// The sweep's schedule: real cron ticks on the local clock, without cron or luxon asking Intl
// (which loads ICU's data into the daemon).
import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { scheduleLocal } from "../../src/daemon/sweep-schedule.js";
import { dateTimeFormatsDuring } from "../helpers/date-time-formats.js";

describe("scheduleLocal", () => {
  it("ticks every second for `* * * * * *`, stops when told, and never constructs an Intl.DateTimeFormat", async () => {
    const ticks: number[] = [];
    let seen = 0;
    const formats = await dateTimeFormatsDuring(async () => {
      const schedule = await scheduleLocal("* * * * * *", () => ticks.push(Date.now()));
      for (let waited = 0; ticks.length < 2 && waited < 10_000; waited += 50) await delay(50);
      schedule.stop();
      seen = ticks.length;
    });
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(new Set(ticks.map((at) => Math.floor(at / 1000))).size).toBe(ticks.length); // one tick per second
    await delay(1500);
    expect(ticks.length).toBe(seen);
    expect(formats).toBe(0);
  });
});
