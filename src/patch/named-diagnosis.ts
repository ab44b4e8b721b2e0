// The diagnosis a route decision names (`Diagnosis:`) is the one the approver read, so it is the
// one the patch uses, and only while it is still what was approved (see isStale).
import path from "node:path";
import type { Layout } from "../protocol/layout.js";
import type { MissingPrerequisite } from "../protocol/patch-run.js";
import { normalizeApprovedPath, type RouteDecision } from "../protocol/route-decision.js";
import { posixRelative } from "../util/posix-relative.js";
import { sha256 } from "../util/sha256.js";
import { nearestDiagnoses, recommendsFix, type UsedDiagnosis } from "./diagnosis-files.js";
import { readSmallFile } from "./small-file.js";

/** The route decision as read: parsed, its sha256 (the approval's identity) and when it was last written. */
export interface ReadRoute {
  readonly decision: RouteDecision;
  readonly sha256: string;
  readonly mtimeMs: number;
}

/** Records a missing prerequisite when it is required (a diagnosis problem), and returns null. */
export type Problem = (message: string, fix: string, where?: string) => null;

/** The diagnosis the route decision names: it must exist, hold a fix, and be what was approved (see isStale). */
export async function checkNamedDiagnosis(layout: Layout, route: ReadRoute, missing: MissingPrerequisite[], problem: Problem): Promise<UsedDiagnosis | null> {
  const named = route.decision.diagnosis!;
  const where = posixRelative(layout.workspace, layout.routeDecision);
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
    const others = nearest.length > 0 ? `; the nearest existing diagnoses: ${nearest.map((n) => `\`${n}\``).join(", ")}` : `; ${posixRelative(layout.workspace, layout.out)}/ holds no diagnosis`;
    return problem(
      `${where} names the diagnosis ${rel}, which ${read.reason}${read.absent ? others : ""}`,
      `Point the \`Diagnosis:\` line of ${where} at the diagnosis you read and approved, or run \`codex-relay diagnose\` for a new one.`,
      rel,
    );
  }
  if (!recommendsFix(read.text)) {
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
