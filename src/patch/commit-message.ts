// The one commit a passing patch gets, in the enforced format (PROTOCOL.md §5, codex-patch-rw):
//
//   type(scope): subject          ≤ 50-char imperative subject, no trailing period
//   <blank> body wrapped at 72 <blank> Verification: block <blank> trailers
//
// Pure. Codex proposes type, scope, subject and body; this module makes them conform instead of
// failing a verified patch over wording, and strips control characters (the message is data that
// ends up in terminals and `git log`).
import { COMMIT_TYPES } from "../protocol/patch-reply.js";
import type { VerificationCheck } from "../protocol/patch-run.js";
import { stripControl } from "../util/control-chars.js";

export interface CommitMessageInput {
  readonly type: string;
  readonly scope: string;
  readonly subject: string;
  readonly body: string;
  readonly verification: readonly VerificationCheck[];
  readonly requestId: string;
  readonly threadId: string | null;
  /** Changed files, workspace-relative; the first names the scope when none is usable. */
  readonly files: readonly string[];
  /** sha256 of the diagnosis used and of the route decision that approved it (a patch; a micro edit has none). */
  readonly approval?: { readonly diagnosisSha256: string | null; readonly routeDecisionSha256: string | null } | null;
  /** The plan step this commit is (`Codex-Relay-Plan-Step: <plan> <n>/<of>`, how a resumed run finds it). */
  readonly planStep?: { readonly plan: string; readonly n: number; readonly of: number } | null;
}

/** The trailer naming a plan step's commit; `planStepTrailer(plan, n)` without `of` is its searchable prefix. */
export function planStepTrailer(plan: string, n: number, of?: number): string {
  return `Codex-Relay-Plan-Step: ${plan} ${n}/${of ?? ""}`;
}

export const MAX_SUBJECT = 50;
export const BODY_WIDTH = 72;
const MAX_SCOPE = 30;
export const CO_AUTHOR = "Co-Authored-By: Codex <noreply@openai.com>";

export function buildCommitMessage(input: CommitMessageInput): string {
  const header = `${commitType(input.type)}(${commitScope(input.scope, input.files)}): ${commitSubject(input.subject)}`;
  const body = commitBody(input.body);
  const checks = input.verification.length === 0 ? ["- (no verification commands)"] : input.verification.map(verificationLine);
  const trailers = [
    `Codex-Relay-Request: ${oneLine(input.requestId) || "unknown"}`,
    `Codex-Thread: ${oneLine(input.threadId ?? "") || "none"}`,
    ...(input.approval?.diagnosisSha256 ? [`Codex-Relay-Diagnosis-SHA256: ${input.approval.diagnosisSha256}`] : []),
    ...(input.approval?.routeDecisionSha256 ? [`Codex-Relay-Route-Decision-SHA256: ${input.approval.routeDecisionSha256}`] : []),
    ...(input.planStep ? [planStepTrailer(oneLine(input.planStep.plan), input.planStep.n, input.planStep.of)] : []),
    CO_AUTHOR,
  ];
  return [header, ...(body === "" ? [] : [body]), ["Verification:", ...checks].join("\n"), trailers.join("\n")].join("\n\n") + "\n";
}

/** The parts of a `type(scope): subject` first line, or null when it is not in that form. */
export function parseCommitHeader(message: string): { type: string; scope: string; subject: string } | null {
  const match = /^([a-z]+)\(([a-z0-9._-]+)\): (\S.*)$/.exec(message.split("\n", 1)[0] ?? "");
  return match ? { type: match[1]!, scope: match[2]!, subject: match[3]! } : null;
}

export function commitType(type: string): string {
  const value = type.trim().toLowerCase();
  return (COMMIT_TYPES as readonly string[]).includes(value) ? value : "fix";
}

/** The scope as given when it is a plain lower-case name, else the first file's module, else `core`. */
export function commitScope(scope: string, files: readonly string[]): string {
  const given = stripControl(scope).trim().toLowerCase();
  if (/^[a-z0-9._-]+$/.test(given)) return given.slice(0, MAX_SCOPE);
  const first = files[0];
  if (first === undefined) return "core";
  const slug = moduleOf(first)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-._]+|[-._]+$/g, "")
    .slice(0, MAX_SCOPE)
    .replace(/[-._]+$/, "");
  return slug === "" ? "core" : slug;
}

// `src/auth/pool.py` → auth: a leading `src/`-like folder names no module, so it is skipped.
const GENERIC_DIRS = new Set(["src", "lib", "source", "sources", "pkg", "packages", "apps", "internal", "app"]);

function moduleOf(file: string): string {
  const segments = file.replace(/\\/g, "/").split("/").filter((s) => s !== "" && s !== ".");
  const dirs = segments.slice(0, -1);
  while (dirs.length > 0 && GENERIC_DIRS.has(dirs[0]!.toLowerCase())) dirs.shift();
  if (dirs.length > 0) return dirs[0]!;
  const name = segments[segments.length - 1] ?? "";
  return name.replace(/^\.+/, "").replace(/\..*$/, "");
}

// A leading verb in the past or third person, as the imperative the format asks for.
const IMPERATIVE: Record<string, string> = {
  fixed: "fix", fixes: "fix",
  added: "add", adds: "add",
  updated: "update", updates: "update",
  removed: "remove", removes: "remove",
  changed: "change", changes: "change",
  increased: "increase", increases: "increase",
  handled: "handle", handles: "handle",
  corrected: "correct", corrects: "correct",
  renamed: "rename", renames: "rename",
  moved: "move", moves: "move",
  made: "make", makes: "make",
};

/** One line, imperative, lower-case start, no trailing period, at most 50 characters. */
export function commitSubject(subject: string): string {
  const line = subject.split(/\r\n|\r|\n/).find((l) => stripControl(l).trim() !== "") ?? "";
  let text = stripControl(line.replace(/\t/g, " ")).replace(/\s+/g, " ").trim();
  // Codex sometimes repeats the header: `fix(auth): increase pool size`.
  text = text.replace(new RegExp(`^(?:${COMMIT_TYPES.join("|")})(?:\\([^)]*\\))?!?:\\s*`, "i"), "");
  text = trimEnding(text);
  const [first = "", ...rest] = text.split(" ");
  const verb = Object.hasOwn(IMPERATIVE, first.toLowerCase()) ? IMPERATIVE[first.toLowerCase()]! : first;
  // `API`, `README`, `iOS`: a word whose second letter is upper case keeps its case.
  const word = /^.[A-Z]/u.test(verb) ? verb : verb.charAt(0).toLowerCase() + verb.slice(1);
  text = [word, ...rest].join(" ");
  text = trimEnding(truncateAtWord(text, MAX_SUBJECT));
  return text === "" ? "apply patch" : text;
}

/** The body: control characters stripped (newline and tab kept), prose wrapped at 72 columns. */
export function commitBody(body: string): string {
  const lines = stripControl(body.replace(/\r\n?/g, "\n"), /[\n\t]/).split("\n").map((line) => line.trimEnd());
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of lines) {
    const marker = /^(`{3,}|~{3,})/.exec(line.trim())?.[1];
    if (fence !== null) {
      if (marker !== undefined && marker[0] === fence[0] && line.trim() === marker) fence = null;
      out.push(line);
    } else if (marker !== undefined) {
      fence = marker;
      out.push(line);
    } else {
      out.push(...wrapLine(line, BODY_WIDTH));
    }
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").replace(/^\n+|\n+$/g, "");
}

function verificationLine(check: VerificationCheck): string {
  const status = { pass: "PASS", broken: "FAIL", pre_existing: "FAIL, pre-existing", not_run: "NOT RUN" }[check.verdict];
  return `- ${oneLine(check.command)} (${status})`;
}

// ---------------------------------------------------------------------------------------------- text

// Indented lines, tables, prompts and lines ending like code keep their shape.
function looksLikeCode(line: string): boolean {
  return /^(?:\s|\||\$ |> ?\$|>>>|@@|diff --git|[+-]{3} )/.test(line) || /[{};]$/.test(line) || !line.includes(" ");
}

function wrapLine(line: string, width: number): string[] {
  if (length(line) <= width || looksLikeCode(line)) return [line];
  const item = /^((?:[-*+]|\d{1,9}[.)]) +)/.exec(line)?.[1] ?? "";
  const indent = " ".repeat(item.length);
  const words = line.slice(item.length).split(/ +/).filter((w) => w !== "");
  const out: string[] = [];
  let current = item;
  let prefix = item;
  for (const word of words) {
    if (current !== prefix && length(current) + 1 + length(word) > width) {
      out.push(current);
      current = indent;
      prefix = indent;
    }
    current = current === prefix ? current + word : `${current} ${word}`;
  }
  out.push(current);
  return out;
}

// Cut at the last space that keeps the text within `max` characters; one long word is cut hard.
function truncateAtWord(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max + 1).join("");
  const space = head.lastIndexOf(" ");
  return space > 0 ? head.slice(0, space) : chars.slice(0, max).join("");
}

function trimEnding(text: string): string {
  return text.replace(/[\s.,;:!–—-]+$/u, "");
}

function length(text: string): number {
  return [...text].length;
}

function oneLine(text: string): string {
  return stripControl(text.replace(/[\r\n\t]+/g, " ")).replace(/\s+/g, " ").trim();
}
