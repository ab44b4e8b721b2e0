// Cron expressions in a time zone, through the `cron` package: whether one is valid, and the next
// instant it fires after a given one. Loaded on first use (synchronously: config validation is
// sync), so a workspace without schedules never loads cron. Local time ("" zone) goes through
// luxon's system zone, which asks Date for offsets and never Intl: an idle daemon stays free of
// ICU's data (see daemon/sweep-schedule.ts); a named zone loads it, and only when configured.
import { createRequire } from "node:module";
import type { CronJob as CronJobClass, CronTime as CronTimeClass } from "cron";
import type { DateTime as DateTimeClass, Zone } from "luxon";

interface CronModules {
  CronJob: typeof CronJobClass;
  CronTime: typeof CronTimeClass;
  DateTime: typeof DateTimeClass;
  systemZone: Zone;
}

let loaded: CronModules | undefined;

/** cron, and the luxon instance cron itself uses, told a locale so it never asks Intl for the system's. */
export function cronModules(): CronModules {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const { CronJob, CronTime } = require("cron") as { CronJob: typeof CronJobClass; CronTime: typeof CronTimeClass };
  const luxon = createRequire(require.resolve("cron"))("luxon") as typeof import("luxon");
  luxon.Settings.defaultLocale = "en-US"; // the job's dates are only compared, never formatted
  loaded = { CronJob, CronTime, DateTime: luxon.DateTime, systemZone: luxon.SystemZone.instance };
  return loaded;
}

/** A cron expression (five or six fields) in `timeZone` ("" local): parsed once, asked for fire instants. */
export interface CronClock {
  /** The first instant strictly after `after` the expression matches, on its zone's wall clock. */
  nextAfter(after: Date): Date;
  /** The calendar day (`YYYY-MM-DD`) of `instant` on this clock's wall clock. */
  dayOf(instant: Date): string;
}

/** Throws cron's error when the expression or the zone is invalid (see cronProblem for a message). */
export function cronClock(expression: string, timeZone: string): CronClock {
  const { CronTime, DateTime, systemZone } = cronModules();
  // A fixed offset for parsing only: without zone or offset, cron would ask Intl for the system zone.
  const time = timeZone === "" ? new CronTime(expression, null, 0) : new CronTime(expression, timeZone);
  const zone = timeZone === "" ? systemZone : timeZone;
  return {
    nextAfter: (after) => time.getNextDateFrom(DateTime.fromJSDate(after, { zone }) as never).toJSDate(),
    dayOf: (instant) => DateTime.fromJSDate(instant, { zone }).toISODate() ?? "",
  };
}

/** Why `expression` in `timeZone` cannot be used, or undefined when it can. */
export function cronProblem(expression: string, timeZone: string): string | undefined {
  try {
    cronClock(expression, timeZone).nextAfter(new Date());
    return undefined;
  } catch (error) {
    return (error as Error).message.split("\n")[0];
  }
}
