// Verification: run the task packet's commands (on the base commit, then on the patch), compare
// the two runs command by command, and say what goes back to Codex when the patch broke something.
import { parseCommandLine } from "./command-line.js";
import { runCommand } from "./run-command.js";
import type { CommandRun, VerificationCheck } from "../protocol/patch-run.js";
import { stripAnsi } from "../util/control-chars.js";

export interface RunVerificationOptions {
  readonly cwd: string;
  /** The commands' whole environment (see `verificationEnv`); a line's `NAME=value` words win. */
  readonly env: Record<string, string>;
  /** Per command. */
  readonly timeoutMs: number;
  /** Aborting kills the running command and runs no more: the result is shorter than `commands`. */
  readonly signal?: AbortSignal;
  readonly redact?: (text: string) => string;
  readonly maxOutputBytes?: number;
  /** Told each command as it starts (the request's progress). */
  readonly onCommand?: (command: string) => Promise<void>;
}

/**
 * Runs each line in order, all of them even after a failure, so the report shows every command.
 * A line that cannot be parsed becomes an "error" run whose tail says why.
 */
export async function runVerification(
  commands: readonly string[],
  options: RunVerificationOptions,
): Promise<CommandRun[]> {
  const runs: CommandRun[] = [];
  for (const command of commands) {
    if (options.signal?.aborted) break;
    const parsed = parseCommandLine(command);
    if (!parsed.ok) {
      const text = `${parsed.error.message}\n${parsed.error.hint}`;
      runs.push({ command, argv: [], status: "error", exitCode: null, durationMs: 0, outputTail: options.redact ? options.redact(text) : text });
      continue;
    }
    await options.onCommand?.(command);
    runs.push(
      await runCommand({
        command,
        argv: parsed.argv,
        cwd: options.cwd,
        env: { ...options.env, ...parsed.env },
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        redact: options.redact,
        maxOutputBytes: options.maxOutputBytes,
      }),
    );
  }
  return runs;
}

/**
 * One check per command: pass (passes after the patch), pre_existing (failed on the base and
 * still fails), broken (passed on the base, or had no baseline, and fails now), not_run (no run
 * after the patch). Runs are matched to commands by position, or by text when positions differ.
 */
export function compareRuns(
  baseline: readonly CommandRun[] | null,
  after: readonly CommandRun[] | null,
  commands: readonly string[],
): VerificationCheck[] {
  return commands.map((command, index) => {
    const before = runOf(baseline, index, command);
    const now = runOf(after, index, command);
    const verdict: VerificationCheck["verdict"] =
      now === null ? "not_run" : now.status === "pass" ? "pass" : before !== null && sameFailure(before, now) ? "pre_existing" : "broken";
    return { command, baseline: before, after: now, verdict };
  });
}

// A failure is pre-existing only when the patch left it exactly as it was: same status, exit code
// and output (timings aside). A failure the patch changed — the task's own reproduction still
// failing, differently — is the patch's, or the fix did not work: it must not reach a commit.
function sameFailure(before: CommandRun, now: CommandRun): boolean {
  return before.status === now.status && before.exitCode === now.exitCode && normalizeOutput(before.outputTail) === normalizeOutput(now.outputTail);
}

const TIMESTAMP = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?/g;
const DURATION = /\d+(?:\.\d+)?\s?(?:ms|s|sec|secs|seconds|m|min)\b/g;

/** Output with what changes from run to run (colours, timestamps, durations) taken out. */
export function normalizeOutput(text: string): string {
  return stripAnsi(text).replace(TIMESTAMP, "<time>").replace(DURATION, "<duration>").replace(/[ \t]+$/gm, "").trim();
}

/** The patch may be committed: nothing it broke, and every command ran. */
export function verificationPassed(checks: readonly VerificationCheck[]): boolean {
  return checks.every((check) => check.verdict === "pass" || check.verdict === "pre_existing");
}

/**
 * What goes back to Codex for a repair: each broken command with its exit status and output tail
 * (tails shortened from the front to fit `maxBytes` in all), then the failures that were already
 * there on the base, so Codex does not chase them.
 */
export function failureDigest(checks: readonly VerificationCheck[], maxBytes: number): string {
  const broken = checks.filter((check) => check.verdict === "broken");
  const preExisting = checks.filter((check) => check.verdict === "pre_existing");
  const notRun = checks.filter((check) => check.verdict === "not_run");
  const footer = [
    ...(preExisting.length === 0
      ? []
      : ["Already failing on the base commit (not caused by your change; do not try to fix):", ...preExisting.map((c) => `- ${c.command}`)]),
    ...(notRun.length === 0 ? [] : ["Not run:", ...notRun.map((c) => `- ${c.command}`)]),
  ].join("\n");
  const heads = broken.map((check) => `$ ${check.command}\n${describeRun(check.after)}\n`);
  const fixed = byteLength(heads.join("\n")) + byteLength(footer) + 2 * (broken.length + 1);
  const perTail = broken.length === 0 ? 0 : Math.max(0, Math.floor((maxBytes - fixed) / broken.length));
  const sections = broken.map((check, i) => `${heads[i]}${tailBytes(check.after?.outputTail ?? "", perTail)}`.trimEnd());
  return clip([...sections, footer].filter((part) => part !== "").join("\n\n"), maxBytes);
}

function runOf(runs: readonly CommandRun[] | null, index: number, command: string): CommandRun | null {
  if (runs === null) return null;
  const atIndex = runs[index];
  if (atIndex?.command === command) return atIndex;
  return runs.find((run) => run.command === command) ?? null;
}

function describeRun(run: CommandRun | null): string {
  if (run === null) return "not run";
  if (run.status === "timeout") return "timed out";
  if (run.status === "error") return "could not run";
  return run.exitCode === null ? "failed (killed by a signal)" : `failed with exit code ${run.exitCode}`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** The last `max` bytes of `text`, marked when shortened. */
function tailBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= max) return text;
  const marker = "[… earlier output omitted …]\n";
  const keep = Math.max(0, max - byteLength(marker));
  let start = bytes.length - keep;
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return keep === 0 ? "" : marker + bytes.subarray(start).toString("utf8");
}

/** A hard cap on the whole digest, keeping its beginning (the first broken command). */
function clip(text: string, max: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= max) return text;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}
