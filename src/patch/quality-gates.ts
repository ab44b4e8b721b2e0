// Quality gates of a micro edit: which commands to run (configured lines, else the test, lint and
// typecheck scripts of package.json) and what a run's output says about test counts. Counts come
// only from a summary line a known runner printed; anything else stays null.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CommandRun } from "../protocol/patch-run.js";
import { stripAnsi } from "../util/control-chars.js";

export interface QualityGate {
  /** "tests", "lint", "typecheck" (the keys of micro.json's quality_gates), or the configured line itself. */
  readonly name: string;
  readonly command: string;
}

export interface GateSummary {
  readonly status: CommandRun["status"];
  readonly total: number | null;
  readonly passed: number | null;
  readonly failed: number | null;
}

// `npm init` writes this test script; it always fails and tests nothing.
const NPM_PLACEHOLDER_TEST = /no test specified/i;
const TYPECHECK_SCRIPTS = ["typecheck", "type-check", "tsc"];

/** Configured lines win; else the package.json scripts that exist, in test, lint, typecheck order. */
export async function detectQualityGates(dir: string, configured: readonly string[]): Promise<QualityGate[]> {
  if (configured.length > 0) return configured.map((line) => ({ name: line, command: line }));
  const scripts = await readScripts(dir);
  const gates: QualityGate[] = [];
  const test = scripts.test;
  if (test !== undefined && !NPM_PLACEHOLDER_TEST.test(test)) gates.push({ name: "tests", command: "npm test" });
  if (scripts.lint !== undefined) gates.push({ name: "lint", command: "npm run lint" });
  const typecheck = TYPECHECK_SCRIPTS.find((name) => scripts[name] !== undefined);
  if (typecheck !== undefined) gates.push({ name: "typecheck", command: `npm run ${typecheck}` });
  return gates;
}

/** The non-empty string scripts of dir/package.json; none when it is missing or not valid JSON. */
async function readScripts(dir: string): Promise<Record<string, string>> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
  } catch {
    return {}; // no package.json (or a broken one): no gates to detect
  }
  const scripts = (manifest as { scripts?: unknown } | null)?.scripts;
  if (scripts === null || typeof scripts !== "object") return {};
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(scripts)) {
    if (typeof value === "string" && value.trim() !== "") result[name] = value;
  }
  return result;
}

interface Counts {
  total: number | null;
  passed: number | null;
  failed: number | null;
}


/** Status and test counts of a gate run, read from the last summary a known runner printed. */
export function summarizeGate(run: CommandRun): GateSummary {
  // colour codes (a runner that ignores NO_COLOR) would split "Tests" from its numbers
  const text = stripAnsi(run.outputTail);
  const counts = lastMatch(text);
  return { status: run.status, total: counts?.total ?? null, passed: counts?.passed ?? null, failed: counts?.failed ?? null };
}

interface Reader {
  readonly pattern: RegExp;
  readonly read: (match: RegExpExecArray, text: string) => Counts | null;
}

const READERS: readonly Reader[] = [
  // vitest: " Tests  1 failed | 2 passed (3)" ("Test Files" does not match: a digit must follow).
  {
    pattern: /^[ \t]*Tests[ \t]+(\d+ [a-z]+(?: \| \d+ [a-z]+)*) \((\d+)\)/gm,
    read: (m) => {
      const parts = words(m[1]!);
      return { total: Number(m[2]), passed: parts.passed ?? 0, failed: parts.failed ?? 0 };
    },
  },
  // jest: "Tests:       1 failed, 2 passed, 3 total".
  {
    pattern: /^[ \t]*Tests:[ \t]+((?:\d+ [a-z]+, )*)(\d+) total/gm,
    read: (m) => {
      const parts = words(m[1]!);
      return { total: Number(m[2]), passed: parts.passed ?? 0, failed: parts.failed ?? 0 };
    },
  },
  // pytest: "==== 1 failed, 3 passed in 0.12s ====" (also "no tests ran in …" has no counts).
  {
    pattern: /^=*[ \t]*((?:\d+ [a-z]+(?:, )?)+) in \d+(?:\.\d+)?s\b/gm,
    read: (m) => {
      const parts = words(m[1]!);
      const known = ["passed", "failed", "error", "errors", "skipped", "xfailed", "xpassed", "deselected", "warnings", "warning", "rerun"];
      if (!Object.keys(parts).every((word) => known.includes(word))) return null;
      const failed = (parts.failed ?? 0) + (parts.error ?? 0) + (parts.errors ?? 0);
      const passed = parts.passed ?? 0;
      const total = passed + failed + (parts.skipped ?? 0) + (parts.xfailed ?? 0) + (parts.xpassed ?? 0);
      return { total, passed, failed };
    },
  },
  // node:test, TAP ("# tests 3", "# pass 3", "# fail 0") or spec ("ℹ tests 3") reporter.
  {
    pattern: /^[#ℹ][ \t]+tests[ \t]+(\d+)[ \t]*$/gm,
    read: (m, text) => {
      const after = text.slice(m.index);
      const pass = /^[#ℹ][ \t]+pass[ \t]+(\d+)[ \t]*$/m.exec(after);
      const fail = /^[#ℹ][ \t]+fail[ \t]+(\d+)[ \t]*$/m.exec(after);
      if (!pass || !fail) return null;
      return { total: Number(m[1]), passed: Number(pass[1]), failed: Number(fail[1]) };
    },
  },
  // mocha: "  3 passing (12ms)", then "  1 pending", "  1 failing" when there are any.
  {
    pattern: /^[ \t]*(\d+) passing \(\d+(?:\.\d+)?(?:ms|s|m|h)\)[ \t]*$/gm,
    read: (m, text) => {
      const after = text.slice(m.index + m[0].length);
      const failing = /^[ \t]*(\d+) failing[ \t]*$/m.exec(after);
      const pending = /^[ \t]*(\d+) pending[ \t]*$/m.exec(after);
      const passed = Number(m[1]);
      const failed = failing ? Number(failing[1]) : 0;
      return { total: passed + failed + (pending ? Number(pending[1]) : 0), passed, failed };
    },
  },
];

/** The counts of the summary that comes last in the text (a run may print several). */
function lastMatch(text: string): Counts | null {
  let best: { index: number; counts: Counts } | null = null;
  for (const reader of READERS) {
    reader.pattern.lastIndex = 0;
    for (let m = reader.pattern.exec(text); m !== null; m = reader.pattern.exec(text)) {
      if (best !== null && m.index < best.index) continue;
      const counts = reader.read(m, text);
      if (counts !== null) best = { index: m.index, counts };
    }
  }
  return best?.counts ?? null;
}

/** "1 failed | 2 passed" or "1 failed, 2 passed, " → { failed: 1, passed: 2 }. */
function words(text: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const m of text.matchAll(/(\d+) ([a-z]+)/g)) result[m[2]!] = (result[m[2]!] ?? 0) + Number(m[1]);
  return result;
}
