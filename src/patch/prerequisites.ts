// A patch runs only when its prerequisites hold (PROTOCOL.md §5): a task packet with verification
// commands, a route decision granting codex-rw with an approver and approved files, and a diagnosis
// with a fix recommendation. Every one that fails is reported, each with the exact fix, so the
// Builder can repair them all in one go.
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Layout } from "../protocol/layout.js";
import { normalizeApprovedPath, parseRouteDecision, type RouteDecision } from "../protocol/route-decision.js";
import { outlineMarkdown, parseTaskPacket, type TaskPacket } from "../protocol/task-packet.js";
import type { MissingPrerequisite } from "../protocol/patch-run.js";
import { errnoCode, isNotFound } from "../util/not-found.js";
import { posixRelative } from "../util/posix-relative.js";
import { sha256 } from "../util/sha256.js";

/** A diagnosis as the patch uses it: workspace-relative path, text, and the sha256 of that text. */
export interface UsedDiagnosis {
  readonly path: string;
  readonly text: string;
  readonly sha256: string;
}

export type Prerequisites =
  | { ok: true; packet: TaskPacket; route: RouteDecision | null; routeSha256: string | null; diagnosis: UsedDiagnosis | null }
  | { ok: false; missing: MissingPrerequisite[]; packet?: TaskPacket };

/** `out/codex-diagnosis-YYYYMMDD-HHMMSS.md`; the name sorts in time order. */
export const DIAGNOSIS_FILE = /^codex-diagnosis-\d{8}-\d{6}\.md$/;

// These files go into Codex's prompt: a stray huge file is a mistake, not a task.
const MAX_BYTES = 1024 * 1024;
const FIX_HEADING = /\bfix(?:es|ing)?\b|recommend/i;

export async function checkPrerequisites(
  layout: Layout,
  options: { requireDiagnosis: boolean; requireRoute: boolean },
): Promise<Prerequisites> {
  const missing: MissingPrerequisite[] = [];
  const packet = await checkTaskPacket(layout, missing);
  const route = await checkRoute(layout, options.requireRoute, missing);
  const diagnosis = await checkDiagnosis(layout, options.requireDiagnosis, missing, route);
  if (missing.length > 0 || packet === null) return packet === null ? { ok: false, missing } : { ok: false, missing, packet };
  return { ok: true, packet, route: route?.decision ?? null, routeSha256: route?.sha256 ?? null, diagnosis };
}

/** The newest diagnosis by name (workspace-relative and absolute path), or null when out/ has none. */
export async function latestDiagnosis(layout: Layout): Promise<{ path: string; file: string } | null> {
  let names: string[];
  try {
    names = await readdir(layout.out);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  const newest = names.filter((name) => DIAGNOSIS_FILE.test(name)).sort().at(-1);
  if (newest === undefined) return null;
  const file = path.join(layout.out, newest);
  return { path: relativeTo(layout, file), file };
}

// ---------------------------------------------------------------------------------------------- checks

async function checkTaskPacket(layout: Layout, missing: MissingPrerequisite[]): Promise<TaskPacket | null> {
  const file = layout.taskPacket;
  const where = relativeTo(layout, file);
  const read = await readSmallFile(file);
  const example = "a `# <title>` line, a description, and a `## Verification` section with a fenced block of commands, one per line (e.g. `npm test`)";
  if (!read.ok) {
    missing.push({
      what: "task_packet",
      path: where,
      message: `${where} ${read.reason}`,
      fix: read.absent ? `Write ${where} with ${example}.` : `Replace ${where} with a regular Markdown file holding ${example}.`,
    });
    return null;
  }
  const packet = parseTaskPacket(read.text);
  if (packet.verification.length === 0) {
    missing.push({
      what: "verification_commands",
      path: where,
      message: `${where} lists no verification commands${problemsNote(packet.problems)}`,
      fix: `Add a \`## Verification\` section to ${where} with a fenced code block holding the commands that prove the fix, one per line (e.g. \`npm test\`).`,
    });
  }
  return packet;
}

/** The route decision as read: parsed, its sha256 (the approval's identity) and when it was last written. */
interface ReadRoute {
  readonly decision: RouteDecision;
  readonly sha256: string;
  readonly mtimeMs: number;
}

async function checkRoute(layout: Layout, required: boolean, missing: MissingPrerequisite[]): Promise<ReadRoute | null> {
  const file = layout.routeDecision;
  const where = relativeTo(layout, file);
  const read = await readSmallFile(file);
  if (!read.ok) {
    if (required) {
      const fix = `write ${where} with \`permission: codex-rw\`, \`approved_by: <name>\` and an \`## Approved Files\` list of the files Codex may change, one \`- path\` per line`;
      missing.push({
        what: "route_decision",
        path: where,
        message: `${where} ${read.reason}`,
        fix: read.absent ? `${capitalize(fix)}.` : `Replace ${where} with a regular Markdown file: ${fix}.`,
      });
    }
    return null;
  }
  const route = parseRouteDecision(read.text);
  const result = { decision: route, sha256: sha256(read.text), mtimeMs: read.mtimeMs };
  if (!required) return result;
  const note = problemsNote(route.problems);
  if (route.permission !== "codex-rw") {
    missing.push({
      what: "codex_rw_permission",
      path: where,
      message:
        route.permission === "codex-ro"
          ? `${where} grants \`codex-ro\` (read-only), not \`codex-rw\`${note}`
          : `${where} does not state \`permission: codex-rw\`${note}`,
      fix: `Once write access is approved, set \`permission: codex-rw\` in ${where} (front matter, or a \`permission: codex-rw\` line).`,
    });
  }
  if (route.approvedBy === null) {
    missing.push({
      what: "approval",
      path: where,
      message: `${where} does not say who approved the change (no \`approved_by:\`)${note}`,
      fix: `Add \`approved_by: <name>\` to ${where}, naming the person or agent who approved codex-rw.`,
    });
  }
  if (route.approvedFiles.length === 0) {
    missing.push({
      what: "approved_files",
      path: where,
      message: `${where} approves no files${note}`,
      fix: `Add an \`## Approved Files\` section to ${where} listing each workspace-relative path (or glob) Codex may change, one \`- path\` item per line.`,
    });
  }
  return result;
}

async function checkDiagnosis(
  layout: Layout,
  required: boolean,
  missing: MissingPrerequisite[],
  route: ReadRoute | null,
): Promise<UsedDiagnosis | null> {
  const pattern = `${relativeTo(layout, layout.out)}/codex-diagnosis-YYYYMMDD-HHMMSS.md`;
  const problem = (message: string, fix: string, where = pattern): null => {
    if (required) missing.push({ what: "diagnosis", path: where, message, fix });
    return null;
  };
  const writeOne = `run \`codex-relay diagnose\` (or write ${pattern} by hand) with the root cause and a \`## Recommended Fix\` section`;
  // The approver read one diagnosis: that one is used, or none. The newest only when none is named.
  if (route?.decision.diagnosis != null) return checkNamedDiagnosis(layout, route, required ? missing : [], problem);
  let latest: Awaited<ReturnType<typeof latestDiagnosis>>;
  try {
    latest = await latestDiagnosis(layout);
  } catch (error) {
    const where = relativeTo(layout, layout.out);
    return problem(`${where}/ cannot be listed (${errnoCode(error) ?? String(error)})`, `Make ${where}/ a readable directory, then ${writeOne}.`);
  }
  if (latest === null) return problem(`no diagnosis found: ${pattern} does not exist`, `${capitalize(writeOne)}.`);
  const read = await readSmallFile(latest.file);
  if (!read.ok) return problem(`${latest.path} ${read.reason}`, `Replace ${latest.path} with a regular Markdown file, or ${writeOne}.`, latest.path);
  if (read.text.trim() === "") return problem(`${latest.path} (the newest diagnosis) is empty`, `${capitalize(writeOne)}.`, latest.path);
  if (!outlineMarkdown(read.text).sections.some((section) => FIX_HEADING.test(section.title))) {
    return problem(
      `${latest.path} (the newest diagnosis) has no fix recommendation: no heading mentions a fix or recommendation`,
      `Add a \`## Recommended Fix\` section to ${latest.path} saying what to change, or ${writeOne}.`,
      latest.path,
    );
  }
  return { path: latest.path, text: read.text, sha256: sha256(read.text) };
}

type Problem = (message: string, fix: string, where?: string) => null;

// Named by the route decision: it must exist, hold a fix, and be what was approved (see isStale).
async function checkNamedDiagnosis(layout: Layout, route: ReadRoute, missing: MissingPrerequisite[], problem: Problem): Promise<UsedDiagnosis | null> {
  const named = route.decision.diagnosis!;
  const where = relativeTo(layout, layout.routeDecision);
  const normalized = normalizeApprovedPath(named);
  if (!normalized.ok || normalized.path === "") {
    return problem(
      `${where} names the diagnosis \`${named}\`, which is not a path inside the workspace`,
      `Set the \`Diagnosis:\` line of ${where} to the workspace-relative path of the diagnosis you approved (e.g. \`out/codex-diagnosis-YYYYMMDD-HHMMSS.md\`).`,
      where,
    );
  }
  const rel = normalized.path;
  const read = await readSmallFile(path.join(layout.workspace, rel));
  if (!read.ok) {
    const nearest = read.absent ? await nearestDiagnoses(layout, rel) : [];
    const others = nearest.length > 0 ? `; the nearest existing diagnoses: ${nearest.map((n) => `\`${n}\``).join(", ")}` : `; ${relativeTo(layout, layout.out)}/ holds no diagnosis`;
    return problem(
      `${where} names the diagnosis ${rel}, which ${read.reason}${read.absent ? others : ""}`,
      `Point the \`Diagnosis:\` line of ${where} at the diagnosis you read and approved, or run \`codex-relay diagnose\` for a new one.`,
      rel,
    );
  }
  if (!outlineMarkdown(read.text).sections.some((section) => FIX_HEADING.test(section.title))) {
    return problem(
      `${rel} (the diagnosis ${where} names) has no fix recommendation: no heading mentions a fix or recommendation`,
      `Add a \`## Recommended Fix\` section to ${rel} saying what to change, then approve it again in ${where}.`,
      rel,
    );
  }
  const hash = sha256(read.text);
  const stale = isStale(route, hash, read.mtimeMs);
  if (stale !== null) {
    missing.push({
      what: "stale_approval",
      path: rel,
      message: `${rel} changed after ${where} approved it (${stale}): the approval is stale`,
      fix: `Read ${rel} again; if you still approve it, save ${where} again${route.decision.diagnosisSha256 ? ` with \`diagnosis_sha256: ${hash}\`` : ""}, then re-run \`codex-relay patch\`.`,
    });
    return null;
  }
  return { path: rel, text: read.text, sha256: hash };
}

/**
 * Why a named diagnosis is not what the approver read, or null when it is. A pinned
 * `diagnosis_sha256:` must match the file's content. Without a pin, the route decision's last
 * write is the moment of approval: a diagnosis written after it was not read by the approver.
 */
function isStale(route: ReadRoute, hash: string, diagnosisMtimeMs: number): string | null {
  const pinned = route.decision.diagnosisSha256;
  if (pinned !== null) return pinned === hash ? null : `its sha256 is ${hash}, the approval pins ${pinned}`;
  return diagnosisMtimeMs > route.mtimeMs
    ? `it was last written at ${new Date(diagnosisMtimeMs).toISOString()}, after the route decision at ${new Date(route.mtimeMs).toISOString()}`
    : null;
}

/** Up to three diagnoses in out/ closest in time to the one named (newest first when it has no time). */
async function nearestDiagnoses(layout: Layout, named: string): Promise<string[]> {
  const names = (await readdir(layout.out).catch(() => [] as string[])).filter((name) => DIAGNOSIS_FILE.test(name));
  const stamp = (name: string) => Number(/(\d{8})-(\d{6})/.exec(name)?.slice(1).join("") ?? Number.NaN);
  const target = stamp(path.posix.basename(named));
  const distance = (name: string) => (Number.isNaN(target) ? -stamp(name) : Math.abs(stamp(name) - target));
  return names
    .sort((a, b) => distance(a) - distance(b) || b.localeCompare(a))
    .slice(0, 3)
    .map((name) => relativeTo(layout, path.join(layout.out, name)));
}

// ---------------------------------------------------------------------------------------------- helpers

type SmallFile = { ok: true; text: string; mtimeMs: number } | { ok: false; absent: boolean; reason: string };

// A symlink could point the prompt at any file on the machine, so only regular files count.
async function readSmallFile(file: string): Promise<SmallFile> {
  try {
    const stat = await lstat(file);
    if (stat.isSymbolicLink()) return { ok: false, absent: false, reason: "is a symbolic link; it must be a regular file" };
    if (!stat.isFile()) return { ok: false, absent: false, reason: "is not a regular file" };
    if (stat.size > MAX_BYTES) return { ok: false, absent: false, reason: `is ${stat.size} bytes, more than the ${MAX_BYTES} allowed` };
    return { ok: true, text: await readFile(file, "utf8"), mtimeMs: stat.mtimeMs };
  } catch (error) {
    if (isAbsent(error)) return { ok: false, absent: true, reason: "does not exist" };
    return { ok: false, absent: false, reason: `cannot be read (${errnoCode(error) ?? String(error)})` };
  }
}

// ENOTDIR too: `progress` being a file means the packet is just as absent.
function isAbsent(error: unknown): boolean {
  return isNotFound(error) || errnoCode(error) === "ENOTDIR";
}

function relativeTo(layout: Layout, file: string): string {
  return posixRelative(layout.workspace, file);
}

function problemsNote(problems: readonly string[]): string {
  return problems.length === 0 ? "" : ` (${problems.join("; ")})`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
