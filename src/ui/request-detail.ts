// One request as the dashboard shows it: its request text, RESULT (json and Markdown), the tail of
// its Codex event log, and the diagnosis or patch report its RESULT names. Only files the protocol
// names for that id are read; a report is read only when its name is a report name in out/.
import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { DIAGNOSIS_FILE } from "../patch/diagnosis-files.js";
import type { Layout } from "../protocol/layout.js";
import { proposedRouteDecision } from "./ui-actions.js";
import { jsonObject } from "../util/json-object.js";

/** How many of the newest event log lines the page gets. */
const EVENT_TAIL = 300;
/** A report named in a RESULT's summary: only these names, only in out/. */
const REPORT_NAME = /\bout\/(codex-(?:diagnosis|patch)-[A-Za-z0-9-]+\.md)\b/;

export interface RequestDetail {
  readonly id: string;
  readonly request: string | null;
  readonly result: Record<string, unknown> | null;
  readonly resultMarkdown: string | null;
  /** The newest event log lines, parsed; a line that is not JSON is left out. */
  readonly events: readonly Record<string, unknown>[];
  readonly report: { readonly file: string; readonly markdown: string } | null;
  /** For a diagnosis report: the files its route decision proposes, for "approve these files". */
  readonly approval: { readonly diagnosis: string; readonly files: readonly string[] } | null;
}

/** `id` must already match ID_PATTERN (the server checks it before calling). */
export async function readRequestDetail(layout: Layout, id: string): Promise<RequestDetail> {
  const root = await realpath(layout.workspace);
  const read = (file: string) => readInside(root, file);
  const [request, resultText, resultMarkdown, log] = await Promise.all([read(layout.request(id)), read(layout.result(id, "json")), read(layout.result(id, "md")), read(layout.log(id))]);
  const result = jsonObject(resultText);
  const reportName = typeof result?.summary === "string" ? REPORT_NAME.exec(result.summary)?.[1] : undefined;
  const reportText = reportName ? await read(path.join(layout.out, reportName)) : null;
  return {
    id,
    request,
    result,
    resultMarkdown,
    events: (log ?? "").split("\n").filter(Boolean).slice(-EVENT_TAIL).map(jsonObject).filter((line): line is Record<string, unknown> => line !== null),
    report: reportName && reportText !== null ? { file: `out/${reportName}`, markdown: reportText } : null,
    approval: approvalOf(reportName, reportText),
  };
}

function approvalOf(name: string | undefined, text: string | null): RequestDetail["approval"] {
  if (!name || text === null || !DIAGNOSIS_FILE.test(name)) return null;
  const proposed = proposedRouteDecision(text);
  return proposed && proposed.files.length > 0 ? { diagnosis: name, files: proposed.files } : null;
}

/** The file's text, or null when it is missing or a link that leads out of the workspace. */
async function readInside(root: string, file: string): Promise<string | null> {
  const real = await realpath(file).catch(() => null);
  if (real === null || !real.startsWith(root + path.sep)) return null;
  return readFile(real, "utf8").catch(() => null);
}
