// Request ids (PROTOCOL.md §2): `YYYYMMDD_HHMMSS` in UTC, `_<n>` appended when that second is taken.
import { RelayError } from "../errors.js";
import { ID_PATTERN } from "./layout.js";

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

export function formatRequestId(now: Date, n = 0): string {
  const year = now.getUTCFullYear();
  if (Number.isNaN(now.getTime()) || year < 0 || year > 9999) {
    throw new RelayError("internal_error", `cannot make a request id from the date ${String(now)}`);
  }
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RelayError("internal_error", `a request id suffix must be a whole number ≥ 0, got ${n}`);
  }
  const date = `${pad(year, 4)}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return n > 0 ? `${date}_${time}_${n}` : `${date}_${time}`;
}

/** The UTC second an id names, or undefined when the id is malformed or names no real date (20250230_…). */
export function requestIdTime(id: string): Date | undefined {
  if (!ID_PATTERN.test(id)) return undefined;
  const field = (from: number, to: number) => Number(id.slice(from, to));
  const [year, month, day] = [field(0, 4), field(4, 6), field(6, 8)];
  const [hours, minutes, seconds] = [field(9, 11), field(11, 13), field(13, 15)];
  const time = new Date(0);
  time.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0–99 to 1900–1999
  time.setUTCHours(hours, minutes, seconds, 0);
  const sameFields =
    time.getUTCFullYear() === year &&
    time.getUTCMonth() === month - 1 &&
    time.getUTCDate() === day &&
    time.getUTCHours() === hours &&
    time.getUTCMinutes() === minutes &&
    time.getUTCSeconds() === seconds;
  return sameFields ? time : undefined;
}
