// One model call through the gateway: refuse it if a cap is spent, redact its body, send it
// upstream (waiting out a bounded 429), and stream the answer back chunk by chunk while the
// meter reads its usage. Upstream trouble that no retry will cure ends the run at once. The
// route's recorder, if any, gets each chunk after Codex did.
import http from "node:http";
import type https from "node:https";
import type { RelayError } from "../errors.js";
import type { Redactor } from "../security/redact.js";
import type { CallEvent, GatewayRoute } from "./gateway-route.js";
import { outboundBody, readBody, type OutboundBody } from "./outbound-body.js";
import type { CallRecording } from "./recorder.js";
import { NO_TOKENS, SseUsageScanner, type CallTokens } from "./sse-usage.js";
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
  /** What a recording's request bodies pass when `redactor` is off: recordings are always redacted. */
  readonly recordRedactor: Redactor;
  readonly maxRetryAfterS: number;
  readonly agents: { readonly http: http.Agent; readonly https: https.Agent };
  /** The cap already crossed, if any: the call is refused with it. */
  refusal(route: GatewayRoute): Promise<RelayError | null>;
  /** A finished call, for the request's and the day's meter. */
  metered(route: GatewayRoute, call: CallEvent): Promise<void>;
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
  const raw = await readBody(req);
  const body = await outboundBody(raw, encoding, policy.redactor, route.tally);
  const n = route.nextCall();
  const recordedBody = !route.recorder ? null : policy.redactor ? body : await outboundBody(raw, encoding, policy.recordRedactor, new Map());
  const recording = recordedBody && route.recorder!.beginCall(n, req.method ?? "POST", rest, recordedBody.bytes);
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
      // No answer: nothing to record, and the run ends here.
      route.fail(unreachable(route.provider, error as NodeJS.ErrnoException));
      return sendJson(res, 502, { error: { message: route.fatal?.message ?? "upstream unreachable", type: "codex_unreachable" } });
    }
    const status = upstream.statusCode ?? 502;
    if (status >= 500) {
      const text = (await readBody(upstream)).toString("utf8");
      route.lastServerError = serverError(route.provider, status, text); // Codex retries; the RESULT names what the provider said
      return answer(res, upstream, text, recording);
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
      return answer(res, upstream, text, recording);
    }
    return relay(upstream, res, route, policy, { model: req.method === "POST", started, number: n, body, recording });
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

// An error answer, read whole, passed on (and recorded) as it came.
function answer(res: http.ServerResponse, upstream: http.IncomingMessage, text: string, recording: CallRecording | null): void {
  res.writeHead(upstream.statusCode ?? 502, responseHeaders(upstream));
  res.end(text);
  recording?.respond(upstream.statusCode ?? 502, upstream.headers["content-type"]);
  recording?.write(Buffer.from(text));
  recording?.end();
}

interface RelayedCall {
  readonly model: boolean;
  readonly started: number;
  readonly number: number;
  readonly body: OutboundBody;
  readonly recording: CallRecording | null;
}

// Stream the answer back as it arrives; the meter reads usage from the same chunks, and the
// recording gets each chunk once Codex has it.
async function relay(upstream: http.IncomingMessage, res: http.ServerResponse, route: GatewayRoute, policy: CallPolicy, call: RelayedCall): Promise<void> {
  const { started, recording } = call;
  res.writeHead(upstream.statusCode ?? 502, responseHeaders(upstream));
  res.flushHeaders();
  recording?.respond(upstream.statusCode ?? 502, upstream.headers["content-type"]);
  const streamed = await streamBack(upstream, res, started, recording ? (chunk) => recording.write(chunk) : undefined);
  recording?.end();
  if (!call.model) return;
  const { redacted, kinds } = call.body;
  await policy.metered(route, { ...streamed, call: call.number, status: upstream.statusCode ?? 0, redacted, redacted_kinds: kinds });
}

/**
 * Pass `source` (an upstream answer, or a recorded one) to Codex chunk by chunk as it arrives, then
 * end the response; the meter reads usage from the same chunks, and `after` sees each once Codex has it.
 */
export async function streamBack(source: AsyncIterable<Buffer>, res: http.ServerResponse, started: number, after?: (chunk: Buffer) => void): Promise<CallTokens & { ttfb_ms: number | null; total_ms: number }> {
  const scanner = new SseUsageScanner();
  let ttfb: number | null = null;
  try {
    for await (const chunk of source) {
      ttfb ??= performance.now() - started;
      scanner.push(chunk);
      res.write(chunk);
      after?.(chunk);
    }
  } catch {
    // the stream broke off: Codex sees the cut and retries or fails as it would direct
  }
  res.end();
  return { ...(scanner.usage ?? NO_TOKENS), ttfb_ms: ttfb === null ? null : round(ttfb), total_ms: round(performance.now() - started) };
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
