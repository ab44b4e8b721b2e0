// Numbers and columns for people, shared by the status and audit tables. Pure.
import { formatSeconds } from "../observe/request-record.js";

/** Left-aligned columns two spaces apart; the last column is not padded. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - [...cell].length))).join("  ").trimEnd());
}

/** How long ago: `12 s`, `4 min`, `3 h`, `5 d`. */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** A duration: `850 ms`, `1.4 s`, then as formatSeconds (`4 min 05 s`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatSeconds(ms);
}

/** `1,234,567` (by hand: toLocaleString would load ICU's number formatting for this alone). */
export function formatTokens(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `$0.0123`, `$12.35`; `-` when unknown. */
export function formatUsd(usd: number | null): string {
  if (usd === null) return "-";
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

/** `87.5 %`; `-` when there is nothing to divide. */
export function formatRate(rate: number | null): string {
  return rate === null ? "-" : `${(rate * 100).toFixed(1)} %`;
}
