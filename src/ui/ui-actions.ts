// What the dashboard's buttons do: each writes one of the protocol's own files and nothing else
// (PROTOCOL.md §3.5–3.6 markers, §5 route decision), so the page keeps no state of its own. Bad
// input is refused before anything is written.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { RelayError } from "../errors.js";
import { DIAGNOSIS_FILE } from "../patch/diagnosis-files.js";
import { ID_PATTERN, type Layout } from "../protocol/layout.js";
import { fencedBlocks } from "../protocol/markdown-outline.js";
import { parseRouteDecision } from "../protocol/route-decision.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { stripControl } from "../util/control-chars.js";
import { sha256 } from "../util/sha256.js";

/** Drop the CANCEL or APPROVE marker of a request that exists and has not finished. */
export async function writeMarker(layout: Layout, marker: "cancel" | "approve", id: string, now: Date): Promise<void> {
  if (!ID_PATTERN.test(id) || !existsSync(layout.request(id))) throw new RelayError("unknown_request", `no request ${id} in ${layout.inbox}`);
  if (existsSync(layout.result(id, "json"))) {
    throw new RelayError("unknown_request", `${id} has already finished; nothing to ${marker}, nothing written`, { hint: "Reload the page: the request's RESULT is there." });
  }
  await writeFileAtomic(layout[marker](id), `${marker === "cancel" ? "cancelled" : "approved"} from the dashboard at ${now.toISOString()}\n`, layout.tmp);
}

export interface DiagnosisApproval {
  /** The report's file name in out/ (`codex-diagnosis-YYYYMMDD-HHMMSS.md`). */
  readonly diagnosis: string;
  readonly approver: string;
  /** The files allowed: a subset of those the diagnosis proposes. */
  readonly files: readonly string[];
}

/** Write progress/ROUTE_DECISION.md from the block the diagnosis proposes: the user's name, the files they kept, pinned to the diagnosis they read. */
export async function approveDiagnosis(layout: Layout, approval: DiagnosisApproval): Promise<string> {
  const invalid = (message: string) => new RelayError("patch_prerequisites", message, { hint: "Pick a diagnosis from the list, type your name and keep at least one of its files." });
  if (!DIAGNOSIS_FILE.test(approval.diagnosis)) throw invalid(`${approval.diagnosis} is not a diagnosis report name`);
  const approver = stripControl(approval.approver).replace(/\s+/g, " ").trim();
  if (approver === "" || approver.length > 100) throw invalid("the approver's name is empty or longer than 100 characters");
  const text = await readFile(path.join(layout.out, approval.diagnosis), "utf8").catch(() => null);
  if (text === null) throw invalid(`out/${approval.diagnosis} does not exist`);
  const proposed = proposedRouteDecision(text);
  if (!proposed) throw invalid(`out/${approval.diagnosis} proposes no route decision`);
  const offered = proposed.files;
  const files = [...new Set(approval.files)];
  const unknown = files.filter((file) => !offered.includes(file));
  if (files.length === 0 || unknown.length > 0) throw invalid(files.length === 0 ? "no file approved" : `not proposed by the diagnosis: ${unknown.join(", ")}`);

  const [head = ""] = proposed.block.split(/^## Approved Files$/m);
  const decision = `${head
    .replace(/^approved_by:.*$/m, `approved_by: ${JSON.stringify(approver)}\ndiagnosis_sha256: ${sha256(text)}`)
    .trimEnd()}\n\n## Approved Files\n\n${files.map((file) => `- ${file}`).join("\n")}\n`;
  const check = parseRouteDecision(decision);
  if (check.approvedBy !== approver || check.permission !== "codex-rw" || check.problems.length > 0) throw invalid(`the route decision would not read back: ${check.problems.join("; ") || "approver or permission lost"}`);
  await writeFileAtomic(layout.routeDecision, decision, layout.tmp);
  return decision;
}

/** The route decision block a diagnosis report offers (diagnosis-report.md), and its files. */
export function proposedRouteDecision(report: string): { block: string; files: readonly string[] } | null {
  const block = fencedBlocks(report).find((text) => /^permission: codex-rw$/m.test(text) && /^## Approved Files$/m.test(text));
  return block === undefined ? null : { block, files: parseRouteDecision(block).approvedFiles };
}
