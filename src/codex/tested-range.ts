// The Codex releases this codex-relay was tested with. The relay leans on `exec --json` events,
// `--output-schema`, `exec resume`, `features.*` keys and sandbox flags, all of which move between
// releases: outside this range `doctor` warns (it still runs), naming the range.

export const TESTED_CODEX = Object.freeze({ low: "0.169.0", high: "0.171.0" });

/** Numeric comparison of dotted versions (`0.171.0` > `0.99.9`); a pre-release tail is ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[-+]/, 1)[0]!.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Null when `version` is inside the tested range, else one sentence saying which way it is out. */
export function outsideTestedRange(version: string): string | null {
  if (!/^\d+\.\d+/.test(version)) return `its version "${version}" is not one codex-relay can compare with the tested range ${TESTED_CODEX.low}–${TESTED_CODEX.high}`;
  if (compareVersions(version, TESTED_CODEX.low) < 0) return `${version} is older than the tested range ${TESTED_CODEX.low}–${TESTED_CODEX.high}`;
  if (compareVersions(version, TESTED_CODEX.high) > 0) return `${version} is newer than the tested range ${TESTED_CODEX.low}–${TESTED_CODEX.high}`;
  return null;
}
