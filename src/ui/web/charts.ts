// The charts view, from the audit figures of each day (/api/charts): requests per day by status,
// tokens (and cost) per day, latency per day (p50, p95). Hand-rolled SVG bars: three charts do not
// need a chart library.
import type { DayFigures } from "./api.js";
import { h, svg } from "./dom.js";

const STATUSES = ["completed", "failed", "timed_out", "cancelled", "rejected"] as const;

interface Series {
  name: string;
  cls: string;
  values: number[];
}

export function chartsView(days: readonly DayFigures[]): HTMLElement {
  const labels = days.map((d) => d.day);
  const cost = days.reduce((sum, d) => sum + (d.costUsd ?? 0), 0);
  const seconds = (ms: number | null) => (ms ?? 0) / 1000;
  return h(
    "div",
    { class: "charts" },
    chart("Requests per day, by status", labels, STATUSES.map((status) => ({ name: status.replace("_", " "), cls: `s-${status}`, values: days.map((d) => d.byStatus[status] ?? 0) })), true, String),
    chart(`Tokens per day${cost > 0 ? ` (estimated cost over ${days.length} days: $${cost.toFixed(2)})` : ""}`, labels, [{ name: "tokens", cls: "s-tokens", values: days.map((d) => d.tokens) }], true, compact),
    chart("Latency per day, detection to RESULT (seconds)", labels, [{ name: "p50", cls: "s-p50", values: days.map((d) => seconds(d.latencyP50Ms)) }, { name: "p95", cls: "s-p95", values: days.map((d) => seconds(d.latencyP95Ms)) }], false, (v) => v.toFixed(1)),
  );
}

function chart(title: string, days: string[], series: Series[], stacked: boolean, label: (v: number) => string): HTMLElement {
  const width = 560;
  const height = 180;
  const left = 44;
  const bottom = 22;
  const totals = days.map((_, i) => (stacked ? series.reduce((sum, s) => sum + s.values[i]!, 0) : Math.max(...series.map((s) => s.values[i]!))));
  const max = Math.max(1, ...totals);
  const slot = (width - left) / Math.max(1, days.length);
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
