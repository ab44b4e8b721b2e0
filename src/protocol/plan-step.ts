// Parses one step of a plan, progress/plans/<id>/step-NN.md (PROTOCOL.md §5, plans): a task packet
// (title, description, `## Verification`) plus the `## Files` the step changes, which are also
// the files its patch may change. Pure and total, like the task packet it extends.
import { headingKey, listItemLines, outlineMarkdown } from "./markdown-outline.js";
import { readFrontMatterTolerantly } from "./front-matter.js";
import { normalizeApprovedPath, pathOfItem } from "./route-decision.js";
import { parseTaskPacket, type TaskPacket } from "./task-packet.js";

export interface PlanStepPacket extends TaskPacket {
  /** Posix workspace-relative paths (or globs) the step changes, in file order, without repeats. */
  readonly files: readonly string[];
}

const FILES_HEADINGS = new Set(["files", "files to change", "files expected to change"]);

export function parsePlanStep(text: string): PlanStepPacket {
  const packet = parseTaskPacket(text);
  const problems = [...packet.problems];
  const { body } = readFrontMatterTolerantly(text, []);
  const files: string[] = [];
  for (const section of outlineMarkdown(body).sections.filter((s) => s.level >= 2 && FILES_HEADINGS.has(headingKey(s.title)))) {
    for (const item of listItemLines(section.body)) {
      const normalized = normalizeApprovedPath(pathOfItem(item));
      if (!normalized.ok) problems.push(normalized.reason);
      else if (normalized.path !== "" && !files.includes(normalized.path)) files.push(normalized.path);
    }
  }
  return { ...packet, files, problems };
}
