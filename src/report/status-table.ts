// The text of `codex-relay status`: one row per request (id, kind, state, age, duration, tokens,
// cost, issue), and under a patch or micro run its branch and commit, or the ref keeping a failed
// attempt. Pure.
import type { RequestRecord } from "../observe/request-record.js";
import { alignColumns, formatDuration, formatAge, formatTokens, formatUsd } from "./figures-text.js";

const HEADER = ["ID", "KIND", "STATE", "AGE", "DURATION", "TOKENS", "COST", "ISSUE"];

export function renderStatusTable(records: readonly RequestRecord[]): string {
  const rows = records.map((r) => [
    r.id,
    r.kind,
    r.stateText,
    formatAge(r.ageMs),
    r.durationMs === null ? "-" : formatDuration(r.durationMs),
    r.tokens ? formatTokens(r.tokens.total) : "-",
    formatUsd(r.costUsd),
    r.issue ?? (r.summary ? `(${r.summary})` : "-"),
  ]);
  const lines = alignColumns([HEADER, ...rows]);
  const out = [lines[0]!];
  records.forEach((record, n) => {
    out.push(lines[n + 1]!);
    const where = patchLine(record);
    if (where) out.push(`${" ".repeat(record.id.length + 2)}${where}`);
  });
  return `${out.join("\n")}\n`;
}

function patchLine(record: RequestRecord): string | null {
  if (record.commit) return `↳ ${record.branch ?? "commit"} @ ${record.commit.slice(0, 12)}`;
  if (record.patchRun?.failedRef) return `↳ not committed; the attempt is kept at ${record.patchRun.failedRef}`;
  if (record.branch) return `↳ ${record.branch}`;
  return null;
}
