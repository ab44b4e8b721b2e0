// src/observe/ reads what happened to each request from the protocol's files, for `status`,
// `audit` and the dashboard. It sits below daemon and the kinds and above protocol:
// cli -> daemon -> {analysis, patch, transcripts} -> codex -> gateway -> context -> report ->
// observe -> protocol. No printing: the commands and the dashboard render what it returns.
//
// This file: where each request's files are, the inbox or an archive month
// (`.autonomous_runs/archive/YYYY-MM/`, same file names). Folder listings only; nothing is read.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { APPROVE_FILE, CANCEL_FILE, LOG_FILE, REQUEST_FILE, RESULT_JSON_FILE, type Layout } from "../protocol/layout.js";

// One test per name for the common case (an inbox of 40,000 names is read on every `status`);
// the layout's own patterns then say which file it is.
const RELAY_NAME = /^CODEX_DELEGATION_(REQUEST|RESULT|LOG|CANCEL|APPROVE)_(\d{8}_\d{6}(?:_\d+)?)/;

const MONTH = /^\d{4}-\d{2}$/;

export type FileHome = "inbox" | "archive";

/** The files one request has, in the one folder that holds them. */
export interface RequestFiles {
  readonly id: string;
  readonly home: FileHome;
  /** The folder: the inbox or `archive/YYYY-MM/`. */
  readonly dir: string;
  readonly request: boolean;
  /** The RESULT `.json`, the commit point: the request is finished. */
  readonly result: boolean;
  readonly log: boolean;
  readonly cancel: boolean;
  readonly approve: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Every request with a request file or a RESULT, by id. The inbox wins over the archive for an id
 * found in both (a request moved while it was listed).
 */
export async function listRequestFiles(layout: Layout): Promise<Map<string, RequestFiles>> {
  const found = new Map<string, Mutable<RequestFiles>>();
  await collect(found, layout.inbox, "inbox");
  const months = (await readdir(layout.archive).catch(() => [] as string[])).filter((name) => MONTH.test(name)).sort();
  for (const month of months) await collect(found, layout.archiveMonth(month), "archive");
  for (const [id, files] of found) if (!files.request && !files.result) found.delete(id); // a stray marker or log
  return found;
}

async function collect(found: Map<string, Mutable<RequestFiles>>, dir: string, home: FileHome): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]); // no folder: nothing there
  const here = new Map<string, Mutable<RequestFiles>>();
  const entry = (id: string) => {
    let files = here.get(id);
    if (!files) here.set(id, (files = { id, home, dir, request: false, result: false, log: false, cancel: false, approve: false }));
    return files;
  };
  for (const name of names) {
    const match = RELAY_NAME.exec(name);
    if (!match) continue;
    const id = match[2]!;
    switch (match[1]) {
      case "REQUEST":
        if (REQUEST_FILE.test(name)) entry(id).request = true;
        break;
      case "RESULT":
        if (RESULT_JSON_FILE.test(name)) entry(id).result = true;
        break;
      case "LOG":
        if (LOG_FILE.test(name)) entry(id).log = true;
        break;
      case "CANCEL":
        if (CANCEL_FILE.test(name)) entry(id).cancel = true;
        break;
      case "APPROVE":
        if (APPROVE_FILE.test(name)) entry(id).approve = true;
    }
  }
  for (const [id, files] of here) {
    const known = found.get(id);
    if (!known || (known.home === "archive" && home === "archive" && !known.result && files.result)) found.set(id, files);
  }
}

/** The path of one of a request's files in the folder that holds it. */
export function fileOf(files: RequestFiles, name: string): string {
  return path.join(files.dir, name);
}
