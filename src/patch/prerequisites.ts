// A patch runs only when its prerequisites hold (PROTOCOL.md §5): a task packet with verification
// commands, a route decision granting codex-rw with an approver and approved files, and a diagnosis
// with a fix recommendation. Every one that fails is reported, each with the exact fix, so the
// Builder can repair them all in one go.
import type { Layout } from "../protocol/layout.js";
import { parseRouteDecision, type RouteDecision } from "../protocol/route-decision.js";
import { parseTaskPacket, type TaskPacket } from "../protocol/task-packet.js";
import type { MissingPrerequisite } from "../protocol/patch-run.js";
import { errnoCode } from "../util/not-found.js";
import { posixRelative } from "../util/posix-relative.js";
import { sha256 } from "../util/sha256.js";
import { latestDiagnosis, recommendsFix, type UsedDiagnosis } from "./diagnosis-files.js";
import { checkNamedDiagnosis, type ReadRoute } from "./named-diagnosis.js";
import { readSmallFile } from "./small-file.js";

export type Prerequisites =
  | { ok: true; packet: TaskPacket; route: RouteDecision | null; routeSha256: string | null; diagnosis: UsedDiagnosis | null }
  | { ok: false; missing: MissingPrerequisite[]; packet?: TaskPacket };

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

/** Reads a route decision (`file`: a plan's own, or progress/ROUTE_DECISION.md) and, when `required`, names what it does not grant. */
export async function checkRoute(layout: Layout, required: boolean, missing: MissingPrerequisite[], file = layout.routeDecision): Promise<ReadRoute | null> {
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
  if (!recommendsFix(read.text)) {
    return problem(
      `${latest.path} (the newest diagnosis) has no fix recommendation: no heading mentions a fix or recommendation`,
      `Add a \`## Recommended Fix\` section to ${latest.path} saying what to change, or ${writeOne}.`,
      latest.path,
    );
  }
  return { path: latest.path, text: read.text, sha256: sha256(read.text) };
}

// ---------------------------------------------------------------------------------------------- helpers

function relativeTo(layout: Layout, file: string): string {
  return posixRelative(layout.workspace, file);
}

function problemsNote(problems: readonly string[]): string {
  return problems.length === 0 ? "" : ` (${problems.join("; ")})`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
