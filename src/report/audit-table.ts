// The text of `codex-relay audit`: the figures of AuditFigures as short tables. Pure.
import type { AuditFigures, Percentiles, SpendFigures } from "../observe/audit-figures.js";
import { alignColumns, formatDuration, formatRate, formatTokens, formatUsd } from "./figures-text.js";

export function renderAuditTable(figures: AuditFigures): string {
  const sections = [
    `codex-relay audit: ${figures.requests} request(s) made ${figures.since ? `since ${figures.since}` : "ever"} (${figures.finished} finished, ${figures.open} open); ` +
      `from the inbox ${figures.sources.inbox}, the archive ${figures.sources.archive}, the audit branch alone ${figures.sources.audit}`,
    totals(figures),
    patches(figures),
    quality(figures),
    spend(figures),
    latency(figures),
    tops(figures),
  ];
  return `${sections.filter((s) => s !== "").join("\n\n")}\n`;
}

function totals(f: AuditFigures): string {
  const statuses = Object.keys(f.byStatus) as (keyof AuditFigures["byStatus"])[];
  const rows = [["KIND", "FINISHED", ...statuses.map((s) => s.toUpperCase())]];
  for (const [kind, of] of Object.entries(f.byKind).sort()) rows.push([kind, String(of.finished), ...statuses.map((s) => String(of.byStatus[s]))]);
  rows.push(["all", String(f.finished), ...statuses.map((s) => String(f.byStatus[s]))]);
  return `Totals (completion rate ${formatRate(f.completionRate)})\n${indent(alignColumns(rows).join("\n"))}`;
}

function patches(f: AuditFigures): string {
  const p = f.patches;
  if (p.runs === 0) return "Patches: none";
  const limits = Object.entries(p.limitsHit)
    .map(([kind, codes]) => `${kind}: ${Object.entries(codes).map(([code, n]) => `${code} ${n}`).join(", ")}`)
    .join("; ");
  return [
    `Patches: ${p.runs} run(s)`,
    `  verification pass rate  ${formatRate(p.verificationPassRate)} (${p.verified} verified)`,
    `  repair success rate     ${formatRate(p.repairs.rate)} (${p.repairs.succeeded} of ${p.repairs.attempted} repaired)`,
    `  limits hit              ${limits || "none"}`,
    `  overlap conflicts       ${p.overlapConflicts}`,
  ].join("\n");
}

function quality(f: AuditFigures): string {
  const c = f.confidence;
  const average = c.average === null ? "-" : `${c.average.toFixed(2)} (${c.level}; high 3, medium 2, low 1)`;
  return `Average confidence: ${average}; high ${c.high}, medium ${c.medium}, low ${c.low}`;
}

function spend(f: AuditFigures): string {
  const header = ["", "REQUESTS", "INPUT", "CACHED", "OUTPUT", "TOTAL TOKENS", "COST"];
  const row = (label: string, s: SpendFigures) => [label, String(s.requests), formatTokens(s.inputTokens), formatTokens(s.cachedInputTokens), formatTokens(s.outputTokens), formatTokens(s.totalTokens), formatUsd(s.costUsd) + (s.unpriced > 0 && s.costUsd !== null ? ` (+${s.unpriced} unpriced)` : "")];
  const byDay = f.spend.byDay.map((d) => row(d.day, d));
  const byKind = Object.entries(f.spend.byKind).sort().map(([kind, s]) => row(kind, s));
  return [
    `Tokens and estimated cost per day (UTC)\n${indent(alignColumns([header, ...byDay, row("all", f.spend.total)]).join("\n"))}`,
    `Tokens and estimated cost per kind\n${indent(alignColumns([header, ...byKind]).join("\n"))}`,
  ].join("\n\n");
}

function latency(f: AuditFigures): string {
  const row = (label: string, p: Percentiles) => [label, p.p50 === null ? "-" : formatDuration(p.p50), p.p95 === null ? "-" : formatDuration(p.p95), String(p.n)];
  const rows = [["", "P50", "P95", "N"], row("detection → spawn", f.latencyMs.detectionToSpawn), row("Codex", f.latencyMs.codex), row("total", f.latencyMs.total)];
  return `Latency\n${indent(alignColumns(rows).join("\n"))}`;
}

function tops(f: AuditFigures): string {
  const list = (items: readonly { count: number }[], name: (item: never) => string) => (items.length === 0 ? "  none" : items.map((i) => `  ${String(i.count).padStart(4)}  ${name(i as never)}`).join("\n"));
  return [
    `Top error codes\n${list(f.topErrors, (e: { code: string }) => e.code)}`,
    `Files most often diagnosed\n${list(f.topFiles.diagnosed, (e: { file: string }) => e.file)}`,
    `Files most often patched (committed)\n${list(f.topFiles.patched, (e: { file: string }) => e.file)}`,
  ].join("\n\n");
}

function indent(text: string): string {
  return text.replace(/^/gm, "  ");
}
