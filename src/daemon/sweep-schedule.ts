// The sweep's cron schedule, in local time, without loading ICU. Left to itself, cron asks Intl for
// the system time zone and luxon asks it for the system locale; either loads ICU's data, 8 MB of an
// idle daemon's resident set here (65 → 57 MB). A fixed UTC offset (luxon's FixedOffsetZone) needs
// no Intl; it is re-read at every tick, so a schedule stays on local time across a DST change.
import { cronModules } from "../config/cron-time.js";

export interface Schedule {
  stop(): void;
}

export async function scheduleLocal(cronTime: string, onTick: () => void): Promise<Schedule> {
  const { CronJob } = cronModules(); // with luxon told a locale, so it never asks Intl for the system's
  const localOffset = () => -new Date().getTimezoneOffset();
  const start = (offset: number) =>
    CronJob.from({
      cronTime,
      utcOffset: offset,
      start: true,
      onTick: () => {
        if (localOffset() !== offset) {
          job.stop();
          job = start(localOffset()); // DST began or ended: the next ticks in the new local time
        }
        onTick();
      },
    });
  let job = start(localOffset());
  return { stop: () => job.stop() };
}
