// The dashboard's HTTP server (`codex-relay ui`, `start --ui`): 127.0.0.1 only, a random port
// unless told, a random token in the URL it prints. Every route is named here; each serves one
// kind of relay file, never a path taken from the request. Folder order: cli -> ui -> daemon -> …
// (the page reads the protocol's files and writes only its markers and route decision).
// Loaded lazily by the CLI, so a daemon without --ui never loads it.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { RelayError, toRelayError } from "../errors.js";
import { ID_PATTERN, type Layout } from "../protocol/layout.js";
import { liveUpdates } from "./live-updates.js";
import { refuse } from "./request-guard.js";
import { readRequestDetail } from "./request-detail.js";
import type { ObserveSettings } from "../observe/observe-settings.js";
import { chartFigures, requestPage } from "./ui-figures.js";
import { pageQuery } from "./page-query.js";
import { readLedger } from "./ledger-lines.js";
import { approveDiagnosis, writeMarker } from "./ui-actions.js";

const WEB_DIR = fileURLToPath(new URL("./web/", import.meta.url));
const STATIC: Readonly<Record<string, string>> = { "/app.js": "text/javascript; charset=utf-8", "/app.css": "text/css; charset=utf-8" };
const MAX_BODY = 64 * 1024;
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface UiServerOptions {
  readonly layout: Layout;
  /** 0 (the default): a free port chosen by the system. */
  readonly port?: number;
  /** How request files read (approval, stale claims, prices): observeSettings(config). */
  readonly settings: ObserveSettings;
  readonly now?: () => Date;
}

export interface UiServer {
  /** The URL to open, token included. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const { layout } = options;
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
    throw new RelayError("invalid_config", `--port ${options.port} is not a port number`, { hint: "Give a port from 1 to 65535, or leave --port out for a free one." });
  }
  const now = options.now ?? (() => new Date());
  const token = randomBytes(24).toString("base64url");
  const live = liveUpdates(layout);
  let port = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const refusal = refuse(req.method ?? "GET", url, req.headers, { port, token });
    if (refusal) return sendJson(res, refusal.status, { error: refusal.message });
    route(req, res, url).catch((error: unknown) => {
      const relay = toRelayError(error);
      sendJson(res, relay.code === "internal_error" ? 500 : 400, { error: relay.message, code: relay.code, hint: relay.hint });
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const { pathname } = url;
    if (req.method === "GET" && pathname === "/") return sendPage(res, token);
    if (req.method === "GET" && STATIC[pathname]) return sendFile(res, pathname.slice(1), STATIC[pathname]);
    if (req.method === "GET" && pathname === "/api/requests") return sendJson(res, 200, await requestPage(layout, options.settings, now(), pageQuery(url.searchParams)));
    if (req.method === "GET" && pathname === "/api/charts") return sendJson(res, 200, await chartFigures(layout, options.settings, now()));
    if (req.method === "GET" && pathname === "/api/ledger") return sendJson(res, 200, await readLedger(layout));
    if (req.method === "GET" && pathname === "/api/events") return live.add(res);
    const one = /^\/api\/requests\/([^/]+)(?:\/(cancel|approve))?$/.exec(pathname);
    if (one && ID_PATTERN.test(one[1]!)) {
      const [, id, action] = one as unknown as [string, string, "cancel" | "approve" | undefined];
      if (req.method === "GET" && !action) return sendJson(res, 200, await readRequestDetail(layout, id));
      if (req.method === "POST" && action) {
        await writeMarker(layout, action, id, now());
        return sendJson(res, 200, { ok: true });
      }
    }
    if (req.method === "POST" && pathname === "/api/route-decision") {
      const body = (await readJsonBody(req)) as { diagnosis?: unknown; approver?: unknown; files?: unknown };
      const files = Array.isArray(body.files) ? body.files.filter((f): f is string => typeof f === "string") : [];
      const decision = await approveDiagnosis(layout, { diagnosis: String(body.diagnosis ?? ""), approver: String(body.approver ?? ""), files });
      return sendJson(res, 200, { ok: true, decision });
    }
    sendJson(res, 404, { error: `no ${req.method} ${pathname} here` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new RelayError("invalid_config", `the dashboard could not listen on 127.0.0.1:${options.port ?? 0}: ${error.message}`, { hint: "Pick another --port, or leave it out for a free one.", cause: error })));
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    close: async () => {
      live.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function sendPage(res: http.ServerResponse, token: string): Promise<void> {
  // The token is base64url: safe inside an attribute as it is.
  const html = (await readFile(`${WEB_DIR}index.html`, "utf8")).replaceAll("{{token}}", token);
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP, "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" });
  res.end(html);
}

async function sendFile(res: http.ServerResponse, name: string, type: string): Promise<void> {
  const body = await readFile(`${WEB_DIR}${name}`);
  res.writeHead(200, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(JSON.stringify(value));
}

async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new RelayError("invalid_request", "the request body is larger than 64 KiB", { hint: "Send less." });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch (error) {
    throw new RelayError("invalid_request", "the request body is not JSON", { hint: "Send a JSON object.", cause: error });
  }
}
