// The dashboard page: the request list (live, a page at a time), one request's detail (RESULT,
// report, diff, events, request), the ledger and the charts. All state is in the relay's files;
// the page reads the newest page of the list, older pages on "Load older", and when the server
// says something changed, only the rows newer than it holds and its open rows again.
import { getJson, postJson, subscribe, type DayFigures, type RequestDetail, type RequestPage, type RequestRow } from "./api.js";
import { chartsView } from "./charts.js";
import { diffView } from "./diff-view.js";
import { h } from "./dom.js";
import { markdownInto } from "./markdown.js";

type View = "requests" | "ledger" | "charts";
type Tab = "result" | "report" | "diff" | "events" | "request";

const state = { view: "requests" as View, rows: [] as RequestRow[], more: false, total: 0, open: 0, selected: null as string | null, tab: "result" as Tab, filter: "" };
/** What the next refresh reads: the first page again (at start, after the filter changed), what changed, the next older page. */
const want = { first: true, update: false, older: false };
/** What the detail pane shows now: a live update that changes nothing leaves it (and a half-filled form) alone. */
let shownDetail = "";
const $ = (id: string) => document.getElementById(id)!;

async function refresh(): Promise<void> {
  if (want.first) {
    want.first = want.update = false;
    const page = await listPage({});
    state.rows = page.rows;
    state.more = page.more;
  }
  if (want.update) {
    want.update = false;
    await readChanges();
  }
  if (want.older && state.more) {
    want.older = false;
    const page = await listPage({ before: state.rows.at(-1)?.id ?? "" });
    state.rows = merged(state.rows, page.rows);
    state.more = page.more;
  }
  renderRows();
  if (state.view === "requests" && state.selected) await renderDetail(state.selected);
  if (state.view === "charts") $("charts-view").replaceChildren(chartsView(await getJson<DayFigures[]>("/api/charts")));
  if (state.view === "ledger") await renderLedger();
}

/** One page of the list as the filter words say; the counts of the workspace come with it. */
async function listPage(params: Record<string, string>): Promise<RequestPage> {
  const query = new URLSearchParams({ ...params, ...(state.filter.trim() ? { filter: state.filter } : {}) });
  const page = await getJson<RequestPage>(`/api/requests?${query}`);
  state.total = page.total;
  state.open = page.open;
  return page;
}

/** A live update: the rows newer than the newest held, and the open rows held read again (a finished row does not change). */
async function readChanges(): Promise<void> {
  const newest = state.rows[0]?.id;
  const open = state.rows.filter((r) => !r.finished).map((r) => r.id);
  const page = await listPage({ ...(newest ? { after: newest } : {}), ...(open.length ? { refresh: open.join(",") } : {}) });
  if (page.more || !newest) {
    // More news than a page (or nothing held yet): start again from the newest page.
    const first = newest ? await listPage({}) : page;
    state.rows = first.rows;
    state.more = first.more;
    return;
  }
  const fresh = new Map(page.refreshed.map((r) => [r.id, r]));
  // An open row not read again is gone (deleted); the others take their new state.
  const kept = state.rows.flatMap((r) => (r.finished ? [r] : fresh.has(r.id) ? [fresh.get(r.id)!] : []));
  state.rows = merged(page.rows, kept);
}

/** Two runs of rows as one, newest first, each id once (the first run's wins). */
function merged(a: RequestRow[], b: RequestRow[]): RequestRow[] {
  const seen = new Set(a.map((r) => r.id));
  return [...a, ...b.filter((r) => !seen.has(r.id))].sort((x, y) => (x.id < y.id ? 1 : x.id > y.id ? -1 : 0));
}

function renderRows(): void {
  $("rows").replaceChildren(
    ...state.rows.map((row) => {
      const tr = h(
        "tr",
        { "data-id": row.id, class: row.id === state.selected ? "sel" : undefined, tabindex: "0" },
        h("td", {}, badge(row)),
        h("td", {}, h("div", { class: "id" }, row.id), h("div", { class: "issue" }, row.issue)),
        h("td", {}, row.kind),
        h("td", { class: "num" }, row.durationMs === null ? "" : seconds(row.durationMs)),
        h("td", { class: "num" }, row.tokens === null ? "" : row.tokens.toLocaleString()),
      );
      const pick = () => void select(row.id);
      tr.addEventListener("click", pick);
      tr.addEventListener("keydown", (e) => e.key === "Enter" && pick());
      return tr;
    }),
  );
  $("empty").hidden = state.total > 0;
  $("no-match").hidden = state.total === 0 || state.rows.length > 0;
  $("older").hidden = !state.more;
  $("counts").textContent = `${state.total} ${state.total === 1 ? "request" : "requests"} · ${state.open} open`;
}

function badge(row: RequestRow): HTMLElement {
  return h("span", { class: `badge s-${row.state}`, title: row.stateText }, row.state.replace(/_/g, " "));
}

async function select(id: string): Promise<void> {
  state.selected = id;
  for (const tr of $("rows").querySelectorAll("tr")) tr.classList.toggle("sel", tr.getAttribute("data-id") === id);
  await renderDetail(id);
}

async function renderDetail(id: string): Promise<void> {
  const detail = await getJson<RequestDetail>(`/api/requests/${id}`);
  if (state.selected !== id) return; // another was picked meanwhile
  const row = state.rows.find((r) => r.id === id);
  const key = JSON.stringify([state.tab, row, detail]);
  if (key === shownDetail) return;
  shownDetail = key;
  const tabs: [Tab, string, boolean][] = [
    ["result", "Result", true],
    ["report", "Report", detail.report !== null],
    ["diff", "Diff", typeof detail.result?.patch === "string" && detail.result.patch !== ""],
    ["events", `Events (${detail.events.length})`, true],
    ["request", "Request", detail.request !== null],
  ];
  if (!tabs.some(([t, , on]) => on && t === state.tab)) state.tab = "result";
  const actions = h("div", { class: "actions" });
  if (row && !row.finished && detail.request !== null) {
    if (row.awaiting === "approve_marker") actions.append(actionButton("Approve", `/api/requests/${id}/approve`));
    actions.append(actionButton("Cancel", `/api/requests/${id}/cancel`, "danger"));
  }
  const body = h("div", { class: "tab-body" });
  const header = h(
    "div",
    { class: "detail-head" },
    h("div", {}, h("h2", {}, id), h("div", { class: "muted" }, [row?.kind, detail.result?.codex?.model, row && new Date(row.createdAt).toLocaleString(), row?.branch].filter(Boolean).join(" · "))),
    row ? h("span", { class: `badge s-${row.state}` }, row.stateText) : null,
    actions,
  );
  const nav = h("nav", { class: "tabs" }, ...tabs.filter(([, , on]) => on).map(([t, label]) => {
    const b = h("button", { class: t === state.tab ? "on" : undefined, "data-tab": t }, label);
    b.addEventListener("click", () => {
      state.tab = t;
      void renderDetail(id);
    });
    return b;
  }));
  body.append(tabBody(detail));
  $("detail").replaceChildren(header, nav, body);
}

function tabBody(detail: RequestDetail): HTMLElement {
  const box = h("div", {});
  if (state.tab === "result") {
    if (detail.resultMarkdown !== null) markdownInto(box, detail.resultMarkdown);
    else box.append(h("p", { class: "muted" }, "No RESULT yet: it appears here when the request finishes."));
  } else if (state.tab === "report" && detail.report) {
    if (detail.approval) box.append(approvalForm(detail.approval));
    const md = h("div", {});
    markdownInto(md, detail.report.markdown);
    box.append(h("div", { class: "muted small" }, detail.report.file), md);
  } else if (state.tab === "diff") {
    box.append(diffView(String(detail.result?.patch ?? "")));
  } else if (state.tab === "events") {
    box.append(h("ol", { class: "events" }, ...detail.events.map((e) => h("li", {}, h("code", {}, String(e.type ?? e.event ?? "event")), " ", eventText(e)))));
  } else if (state.tab === "request" && detail.request !== null) {
    markdownInto(box, detail.request);
  }
  return box;
}

function eventText(event: Record<string, any>): string {
  const item = event.item as Record<string, any> | undefined;
  if (item?.type === "command_execution") return `ran ${String(item.command ?? "")}`;
  if (item?.type === "file_change") return `changed ${(item.changes ?? []).map((c: any) => c.path).join(", ")}`;
  if (item?.type === "agent_message") return String(item.text ?? "").slice(0, 300);
  if (event.usage) return `tokens in ${event.usage.input_tokens ?? "?"}, out ${event.usage.output_tokens ?? "?"}`;
  if (event.message) return String(event.message);
  return item?.type ? String(item.type) : "";
}

function approvalForm(approval: { diagnosis: string; files: string[] }): HTMLElement {
  const name = h("input", { type: "text", placeholder: "your name", "aria-label": "approver", required: true });
  const boxes = approval.files.map((file) => h("input", { type: "checkbox", value: file, checked: true }));
  const message = h("span", { class: "small" });
  const button = h("button", { class: "primary" }, "Approve these files");
  button.addEventListener("click", async () => {
    const files = boxes.filter((b) => b.checked).map((b) => b.value);
    const answer = await postJson("/api/route-decision", { diagnosis: approval.diagnosis, approver: name.value, files });
    message.textContent = answer.ok ? "Written to progress/ROUTE_DECISION.md: the patch starts when the daemon sees it." : `${answer.error ?? "refused"}${answer.hint ? ` — ${answer.hint}` : ""}`;
    message.className = answer.ok ? "small ok" : "small bad";
  });
  return h(
    "div",
    { class: "approve-box" },
    h("strong", {}, "Let Codex change these files"),
    h("ul", {}, ...approval.files.map((file, i) => h("li", {}, h("label", {}, boxes[i]!, " ", h("code", {}, file))))),
    h("div", { class: "row" }, name, button, message),
  );
}

function actionButton(label: string, path: string, cls = ""): HTMLButtonElement {
  const button = h("button", { class: cls }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    const answer = await postJson(path);
    button.textContent = answer.ok ? `${label} requested` : `${label} failed: ${answer.error ?? ""}`;
  });
  return button;
}

async function renderLedger(): Promise<void> {
  const lines = await getJson<Record<string, any>[]>("/api/ledger");
  const cols = ["timestamp", "skill", "verification_passed", "files_modified", "lines_changed", "commit", "output"];
  $("ledger-view").replaceChildren(
    lines.length === 0
      ? h("p", { class: "muted pad" }, "The ledger is empty: patch and micro runs add a line each.")
      : h("table", { class: "list ledger" }, h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", {}, c.replace(/_/g, " "))))), h("tbody", {}, ...lines.map((line) => h("tr", {}, ...cols.map((c) => h("td", {}, cell(line[c]))))))),
  );
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "boolean") return value ? "pass" : "fail";
  if (typeof value === "string" && /^[0-9a-f]{40}$/.test(value)) return value.slice(0, 10);
  return String(value);
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

function show(view: View): void {
  state.view = view;
  for (const b of $("views").querySelectorAll("button")) b.classList.toggle("on", b.getAttribute("data-view") === view);
  $("requests-view").hidden = view !== "requests";
  $("ledger-view").hidden = view !== "ledger";
  $("charts-view").hidden = view !== "charts";
  kick();
}

for (const b of $("views").querySelectorAll("button")) b.addEventListener("click", () => show(b.getAttribute("data-view") as View));
// The filter is the server's: it reads older records until a page of matches is found.
let typing: ReturnType<typeof setTimeout> | undefined;
$("filter").addEventListener("input", (e) => {
  state.filter = (e.target as HTMLInputElement).value;
  clearTimeout(typing);
  typing = setTimeout(() => {
    want.first = true;
    kick();
  }, 150);
});
$("older").addEventListener("click", () => {
  want.older = true;
  kick();
});
let pending: Promise<void> | null = null;
let again = false;
// One refresh at a time; what is wanted during one asks for one more.
function kick(): void {
  if (pending) return void (again = true);
  pending = refresh().finally(() => {
    pending = null;
    if (again) {
      again = false;
      kick();
    }
  });
}
const onChange = () => {
  want.update = true;
  kick();
};
const onLog = (id: string) => {
  if (state.view === "requests" && state.selected === id && !pending) void renderDetail(id);
};
let wasDown = false;
subscribe(onChange, onLog, (up) => {
  $("live").textContent = up ? "live" : "reconnecting…";
  $("live").classList.toggle("up", up);
  if (up && wasDown) onChange(); // what changed while the stream was down
  wasDown = !up;
});
kick();
