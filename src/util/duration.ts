// The one parser of short durations given on the command line (`--since 2d`, `7d`, `12h`, `30m`).
import { RelayError } from "../errors.js";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*([smhdw])$/;

/** Milliseconds of `text` (a number and one unit: s, m, h, d or w); a RelayError naming the flag otherwise. */
export function parseDuration(text: string, flag = "--since"): number {
  const match = DURATION.exec(text.trim().toLowerCase());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new RelayError("invalid_argument", `${flag} ${JSON.stringify(text)} is not a duration`, {
      hint: `Give ${flag} a number and a unit: s, m, h, d or w (e.g. ${flag} 12h, ${flag} 2d, ${flag} 7d).`,
    });
  }
  return ms;
}
