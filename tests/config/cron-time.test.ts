// Cron expressions in a zone: the instants they fire at across daylight-saving changes, in a named
// zone and in local time (which must not construct an Intl.DateTimeFormat: see sweep-schedule).
import { afterEach, describe, expect, it } from "vitest";
import { cronClock, cronProblem } from "../../src/config/cron-time.js";
import { dateTimeFormatsDuring } from "../helpers/date-time-formats.js";

/** The first `n` fire instants after `from`, as ISO strings. */
function fires(expression: string, zone: string, from: string, n: number): string[] {
  const clock = cronClock(expression, zone);
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < n; i += 1) {
    at = clock.nextAfter(at);
    out.push(at.toISOString());
  }
  return out;
}

// Europe/Berlin: CET (UTC+1) until 2026-03-29 01:00Z, CEST (UTC+2) until 2026-10-25 01:00Z.
const BERLIN_CASES = [
  {
    what: "09:00 every day stays 09:00 local when summer time begins",
    expression: "0 0 9 * * *",
    from: "2026-03-27T12:00:00Z",
    want: ["2026-03-28T08:00:00.000Z", "2026-03-29T07:00:00.000Z", "2026-03-30T07:00:00.000Z"],
  },
  {
    what: "09:00 every day stays 09:00 local when summer time ends",
    expression: "0 9 * * *", // five fields
    from: "2026-10-23T12:00:00Z",
    want: ["2026-10-24T07:00:00.000Z", "2026-10-25T08:00:00.000Z", "2026-10-26T08:00:00.000Z"],
  },
  {
    what: "02:30, a time the spring change skips, runs when the clock jumps to 03:00",
    expression: "0 30 2 * * *",
    from: "2026-03-27T12:00:00Z",
    want: ["2026-03-28T01:30:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"],
  },
  {
    what: "02:30, a time the autumn change repeats, runs once (the first time)",
    expression: "0 30 2 * * *",
    from: "2026-10-23T12:00:00Z",
    want: ["2026-10-24T00:30:00.000Z", "2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"],
  },
];

describe("cronClock in a named zone", () => {
  for (const { what, expression, from, want } of BERLIN_CASES) {
    it(what, () => expect(fires(expression, "Europe/Berlin", from, 3)).toEqual(want));
  }

  it("is strictly after the instant given, even on a fire instant", () => {
    expect(cronClock("0 0 9 * * *", "Europe/Berlin").nextAfter(new Date("2026-03-28T08:00:00Z")).toISOString()).toBe("2026-03-29T07:00:00.000Z");
  });

  it("names the calendar day of an instant on the zone's wall clock", () => {
    const clock = cronClock("0 0 * * *", "America/New_York");
    expect(clock.dayOf(new Date("2026-06-02T03:00:00Z"))).toBe("2026-06-01");
  });
});

describe("cronClock in local time", () => {
  const saved = process.env.TZ;
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  for (const { what, expression, from, want } of BERLIN_CASES) {
    it(`${what}, on a machine in Berlin, without Intl.DateTimeFormat`, async () => {
      process.env.TZ = "Europe/Berlin";
      const formats = await dateTimeFormatsDuring(() => {
        expect(fires(expression, "", from, 3)).toEqual(want);
        expect(cronClock(expression, "").dayOf(new Date("2026-03-28T23:30:00Z"))).toBe("2026-03-29");
      });
      expect(formats).toBe(0);
    });
  }
});

describe("cronProblem", () => {
  it("accepts five and six fields and rejects what cron cannot use", () => {
    expect(cronProblem("*/15 * * * * *", "")).toBeUndefined();
    expect(cronProblem("0 3 * * 1-5", "")).toBeUndefined();
    expect(cronProblem("0 61 * * *", "")).toMatch(/./);
    expect(cronProblem("every day", "")).toMatch(/./);
    expect(cronProblem("0 3 * * *", "Mars/Olympus_Mons")).toMatch(/time ?zone/i);
  });
});
