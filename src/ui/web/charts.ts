// The charts view, from the request rows: requests per day by status, tokens (and cost) per day,
// latency per day (p50, p95). Hand-rolled SVG bars: three charts do not need a chart library.
import type { RequestRow } from "./api.js";
import { h, svg } from "./dom.js";

const DAYS = 14;
const STATUSES = ["completed", "failed", "timed_out", "cancelled", "rejected"] as const;

interface Series {
  name: string;
  cls: string;
  values: number[];
}

export function chartsView(rows: readonly RequestRow[], today = new Date()): HTMLElement {
  const days = Array.from({ length: DAYS }, (_, i) => new Date(today.getTime() - (DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10));
  const index = new Map(days.map((day, i) => [day, i]));
  const byStatus = STATUSES.map((status) => ({ name: status, cls: `s-${status}`, values: days.map(() => 0) }));
  const tokens = days.map(() => 0);
  let cost = 0;
  const durations: number[][] = days.map(() => []);
  for (const row of rows) {
    const i = row.finished_at ? index.get(row.finished_at.slice(0, 10)) : undefined;
    if (i === undefined) continue;
    const status = byStatus.find((s) => s.name === row.state);
    if (status) status.values[i] = status.values[i]! + 1;
    tokens[i] = tokens[i]! + (row.tokens ?? 0);
    cost += row.cost_usd ?? 0;
    if (row.duration_ms !== null) durations[i]!.push(row.duration_ms / 1000);
  }
  const quantile = (q: number) => durations.map((list) => (list.length === 0 ? 0 : [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))]!));
  return h(
    "div",
    { class: "charts" },
    chart("Requests per day, by status", days, byStatus, true, (v) => String(v)),
    chart(`Tokens per day${cost > 0 ? ` (estimated cost over ${DAYS} days: $${cost.toFixed(2)})` : ""}`, days, [{ name: "tokens", cls: "s-tokens", values: tokens }], true, compact),
    chart("Latency per day (seconds)", days, [{ name: "p50", cls: "s-p50", values: quantile(0.5) }, { name: "p95", cls: "s-p95", values: quantile(0.95) }], false, (v) => v.toFixed(1)),
  );
}

function chart(title: string, days: string[], series: Series[], stacked: boolean, label: (v: number) => string): HTMLElement {
  const width = 560;
  const height = 180;
  const left = 44;
  const bottom = 22;
  const totals = days.map((_, i) => (stacked ? series.reduce((sum, s) => sum + s.values[i]!, 0) : Math.max(...series.map((s) => s.values[i]!))));
  const max = Math.max(1, ...totals);
  const slot = (width - left) / days.length;
  const scale = (v: number) => (v / max) * (height - bottom - 8);
  const plot = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  for (const f of [0, 0.5, 1]) {
    const y = height - bottom - scale(max * f);
    plot.append(svg("line", { x1: left, x2: width, y1: y, y2: y, class: "grid" }), svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, label(max * f)));
  }
  days.forEach((day, i) => {
    let base = height - bottom;
    const barWidth = stacked ? slot * 0.7 : (slot * 0.7) / series.length;
    series.forEach((s, k) => {
      const v = s.values[i]!;
      const x = left + i * slot + slot * 0.15 + (stacked ? 0 : k * barWidth);
      const y = stacked ? base - scale(v) : height - bottom - scale(v);
      if (v > 0) plot.append(svg("rect", { x, y, width: barWidth, height: scale(v), class: s.cls }, svg("title", {}, `${day} ${s.name}: ${label(v)}`)));
      if (stacked) base -= scale(v);
    });
    if (i % 2 === 0) plot.append(svg("text", { x: left + i * slot + slot / 2, y: height - 6, class: "axis", "text-anchor": "middle" }, day.slice(5)));
  });
  const legend = h("div", { class: "legend" }, ...series.map((s) => h("span", {}, h("i", { class: s.cls }), s.name)));
  return h("figure", { class: "chart" }, h("figcaption", {}, title), plot, legend);
}

function compact(v: number): string {
  return v >= 1_000_000 ? `${(v / 1_000_000).toFixed(1)}M` : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : String(Math.round(v));
}
