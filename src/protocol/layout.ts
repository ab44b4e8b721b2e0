// The file names and folders of PROTOCOL.md §1–§3, in one place. Pure: paths only, no IO.
import path from "node:path";

export const INBOX_DIR = ".autonomous_runs/codex_delegations";
export const RELAY_DIR = ".autonomous_runs/.relay";

const ID = String.raw`\d{8}_\d{6}(?:_\d+)?`;
export const REQUEST_FILE = new RegExp(`^CODEX_DELEGATION_REQUEST_(${ID})\\.md$`);
export const CANCEL_FILE = new RegExp(`^CODEX_DELEGATION_CANCEL_(${ID})$`);
export const APPROVE_FILE = new RegExp(`^CODEX_DELEGATION_APPROVE_(${ID})$`);
export const RESULT_JSON_FILE = new RegExp(`^CODEX_DELEGATION_RESULT_(${ID})\\.json$`);
export const ID_PATTERN = new RegExp(`^${ID}$`);

/** Every path the protocol names for one workspace. */
export interface Layout {
  readonly workspace: string;
  readonly inbox: string;
  readonly relay: string;
  readonly claims: string;
  readonly tmp: string;
  readonly lockFile: string;
  readonly logFile: string;
  readonly progress: string;
  readonly out: string;
  readonly templates: string;
  readonly configFile: string;
  request(id: string): string;
  result(id: string, ext: "md" | "json"): string;
  log(id: string): string;
  cancel(id: string): string;
  approve(id: string): string;
  claim(id: string): string;
}

export function layoutFor(workspace: string): Layout {
  const ws = path.resolve(workspace);
  const inbox = path.join(ws, INBOX_DIR);
  const relay = path.join(ws, RELAY_DIR);
  return Object.freeze({
    workspace: ws,
    inbox,
    relay,
    claims: path.join(relay, "claims"),
    tmp: path.join(relay, "tmp"),
    lockFile: path.join(relay, "daemon.lock"),
    logFile: path.join(relay, "daemon.log.jsonl"),
    progress: path.join(ws, "progress"),
    out: path.join(ws, "out"),
    templates: path.join(ws, "templates"),
    configFile: path.join(ws, "codex-relay.toml"),
    request: (id: string) => path.join(inbox, `CODEX_DELEGATION_REQUEST_${id}.md`),
    result: (id: string, ext: "md" | "json") => path.join(inbox, `CODEX_DELEGATION_RESULT_${id}.${ext}`),
    log: (id: string) => path.join(inbox, `CODEX_DELEGATION_LOG_${id}.jsonl`),
    cancel: (id: string) => path.join(inbox, `CODEX_DELEGATION_CANCEL_${id}`),
    approve: (id: string) => path.join(inbox, `CODEX_DELEGATION_APPROVE_${id}`),
    claim: (id: string) => path.join(relay, "claims", `${id}.json`),
  });
}

/** The id of a request file name, or undefined when the name is not a request. */
export function requestIdOf(fileName: string): string | undefined {
  return REQUEST_FILE.exec(fileName)?.[1];
}
