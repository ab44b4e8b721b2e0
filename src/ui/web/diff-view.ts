// A unified diff shown as a diff: file headers, hunk headers, added and removed lines, with
// old/new line numbers. Hand-rolled (about 50 lines) instead of a diff library.
import { h } from "./dom.js";

export function diffView(patch: string): HTMLElement {
  const table = h("table", { class: "diff" });
  let oldLine = 0;
  let newLine = 0;
  for (const line of patch.replace(/\n$/, "").split("\n")) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (line.startsWith("diff --git ")) {
      table.append(h("tr", { class: "file" }, h("td", { colspan: "3" }, line.replace(/^diff --git a\/(.*) b\/.*$/, "$1"))));
    } else if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      table.append(h("tr", { class: "hunk" }, h("td", { colspan: "3" }, line)));
    } else if (/^(index |--- |\+\+\+ |new file|deleted file|similarity|rename |old mode|new mode)/.test(line)) {
      continue; // the file row says it
    } else if (line.startsWith("+")) {
      table.append(row("add", "", newLine++, line));
    } else if (line.startsWith("-")) {
      table.append(row("del", oldLine++, "", line));
    } else if (line.startsWith("\\")) {
      table.append(row("note", "", "", line));
    } else {
      table.append(row("ctx", oldLine++, newLine++, line));
    }
  }
  return h("div", { class: "diff-wrap" }, table);
}

function row(kind: string, oldNo: number | string, newNo: number | string, text: string): HTMLTableRowElement {
  return h("tr", { class: kind }, h("td", { class: "ln" }, String(oldNo)), h("td", { class: "ln" }, String(newNo)), h("td", { class: "code" }, text));
}
