// One model call through the gateway: refuse it if a cap is spent, redact its body, send it
// upstream (waiting out a bounded 429), and stream the answer back chunk by chunk while the
// meter reads its usage. Upstream trouble that no retry will cure ends the run at once.
import http from "node:http";
import type https from "node:https";
import type { RelayError } from "../errors.js";
import type { Redactor } from "../security/redact.js";
import type { CallRecord, GatewayRoute } from "./gateway-route.js";
import { outboundBody, readBody } from "./outbound-body.js";
import { NO_TOKENS, SseUsageScanner } from "./sse-usage.js";
import { httpTrouble, retryAfterS, serverError, unreachable } from "./upstream-trouble.js";

/**
 * node:https (with tls) loaded on the first https upstream: ~0.7 MB of the daemon's resident set
 * that a local or plain-http provider never needs.
 */
export function httpsModule(): typeof https {
  return process.getBuiltinModule("node:https");
}

export interface CallPolicy {
  readonly redactor: Redactor | null;
  readonly maxRetryAfterS: number;
  readonly agents: { readonly http: http.Agent; readonly https: https.Agent };
  /** The cap already crossed, if any: the call is refused with it. */
  refusal(route: GatewayRoute): Promise<RelayError | null>;
  /** A finished call, for the request's and the day's meter. */
  metered(route: GatewayRoute, call: CallRecord): Promise<void>;
}

// Hop-by-hop headers and the ones the gateway recomputes; `accept-encoding` is dropped so the
// stream comes back plain and its usage can be read.
const DROP_REQUEST = new Set(["host", "connection", "keep-alive", "content-length", "content-encoding", "accept-encoding", "transfer-encoding", "upgrade"]);
const DROP_RESPONSE = new Set(["connection", "keep-alive", "transfer-encoding"]);

export async function forwardCall(req: http.IncomingMessage, res: http.ServerResponse, route: GatewayRoute, rest: string, policy: CallPolicy): Promise<void> {
  const started = performance.now();
  const refused = await policy.refusal(route);
  if (refused) {
    route.fail(refused);
    // 400 is an answer Codex does not retry: the turn ends on it.
    return sendJson(res, 400, { error: { message: refused.message, type: "budget_exceeded", code: refused.code } });
  }
  const encoding = req.headers["content-encoding"] as string | undefined;
  const body = await outboundBody(await readBody(req), encoding, policy.redactor, route.tally);
  const target = new URL(route.upstream + rest);
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!DROP_REQUEST.has(name) && value !== undefined) headers[name] = value;
  if (body.encoding) headers["content-encoding"] = body.encoding;
  headers["content-length"] = body.bytes.length;

  let waitedS = 0;
  for (;;) {
    let upstream: http.IncomingMessage;
    try {
      upstream = await send(target, req.method ?? "POST", headers, body.bytes, policy, res);
    } catch (error) {
      if (res.destroyed || res.writableEnded) return; // Codex went away first (cancel, kill): its call was dropped, not refused
      route.fail(unreachable(route.provider, error as NodeJS.ErrnoException));
      return sendJson(res, 502, { error: { message: route.fatal?.message ?? "upstream unreachable", type: "codex_unreachable" } });
    }
    const status = upstream.statusCode ?? 502;
    if (status >= 500) {
      const text = (await readBody(upstream)).toString("utf8");
      route.lastServerError = serverError(route.provider, status, text); // Codex retries; the RESULT names what the provider said
      res.writeHead(status, responseHeaders(upstream));
      res.end(text);
      return;
    }
    if (status === 401 || status === 403 || status === 429) {
      const text = (await readBody(upstream)).toString("utf8");
      const wait = status === 429 ? retryAfterS(upstream.headers["retry-after"], new Date()) : null;
      if (wait !== null && waitedS + wait <= policy.maxRetryAfterS) {
        waitedS += wait;
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        continue;
      }
      const trouble = httpTrouble(route.provider, status, text, waitedS);
      if (trouble) route.fail(trouble);
      res.writeHead(status, responseHeaders(upstream));
      res.end(text);
      return;
    }
    return relay(upstream, res, route, policy, { model: req.method === "POST", started, redacted: body.redacted });
  }
}

function send(target: URL, method: string, headers: http.OutgoingHttpHeaders, body: Buffer, policy: CallPolicy, res: http.ServerResponse): Promise<http.IncomingMessage> {
  const secure = target.protocol === "https:";
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsModule() : http).request(target, { method, headers, agent: secure ? policy.agents.https : policy.agents.http }, resolve);
    request.once("error", reject);
    // Codex gone (its run ended): drop the upstream call too.
    res.once("close", () => request.destroy());
    request.end(body);
  });
}

// Stream the answer back as it arrives; the meter reads usage from the same chunks.
async function relay(upstream: http.IncomingMessage, res: http.ServerResponse, route: GatewayRoute, policy: CallPolicy, call: { model: boolean; started: number; redacted: number }): Promise<void> {
  const { started } = call;
  res.writeHead(upstream.statusCode ?? 502, responseHeaders(upstream));
  res.flushHeaders();
  const scanner = new SseUsageScanner();
  let ttfb: number | null = null;
  try {
    for await (const chunk of upstream) {
      ttfb ??= performance.now() - started;
      scanner.push(chunk as Buffer);
      res.write(chunk);
    }
  } catch {
    // the upstream stream broke off: Codex sees the cut and retries or fails as it would direct
  }
  res.end();
  if (!call.model) return;
  const tokens = scanner.usage ?? NO_TOKENS;
  await policy.metered(route, { ...tokens, status: upstream.statusCode ?? 0, ttfb_ms: ttfb === null ? null : round(ttfb), total_ms: round(performance.now() - started), redacted: call.redacted });
}

function responseHeaders(upstream: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream.headers)) if (!DROP_RESPONSE.has(name) && value !== undefined) headers[name] = value;
  return headers;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
