// The local model gateway: an HTTP server on 127.0.0.1 (random port) that every relay run's Codex
// talks to instead of its provider. Started lazily by the process that runs requests, one per
// RelayContext, and stopped with it. Paths are `/r/<secret>/…`, one secret per request. A route
// forwards to its upstream (and records the calls), or, for a replay, answers from a recording.
import http from "node:http";
import path from "node:path";
import type https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { RelayContext } from "../context/relay-context.js";
import { budgetExceeded, requestCap } from "./budget.js";
import { DailyUsage, utcDay } from "./daily-usage.js";
import { forwardCall, httpsModule, sendJson, type CallPolicy } from "./forward-call.js";
import { GatewayRoute } from "./gateway-route.js";
import { pruneRecordings, Recorder } from "./recorder.js";
import { replayCall } from "./replay-call.js";
import type { ReplaySource } from "./replay-source.js";
import { spentTokens } from "./sse-usage.js";

/** How often a daemon's gateway prunes old recordings (see #recorder). */
const PRUNE_EVERY_MS = 60_000;

export class Gateway {
  readonly port: number;
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #routes = new Map<string, GatewayRoute>();
  readonly #ctx: RelayContext;
  readonly #daily: DailyUsage;
  readonly #policy: CallPolicy;
  readonly #httpsAgent: () => https.Agent | undefined;
  /** Day totals being written; `stop` waits for them so a finished process loses no call. */
  readonly #writes = new Set<Promise<unknown>>();

  private constructor(ctx: RelayContext, server: http.Server) {
    this.#ctx = ctx;
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    this.#daily = new DailyUsage(ctx.layout);
    const keepAlive = { keepAlive: true, maxSockets: 64 };
    let httpsAgent: https.Agent | undefined;
    this.#httpsAgent = () => httpsAgent;
    this.#policy = {
      redactor: ctx.config.gateway.redact ? ctx.redactor : null,
      recordRedactor: ctx.redactor,
      maxRetryAfterS: ctx.config.gateway.max_retry_after_s,
      agents: {
        http: new http.Agent(keepAlive),
        get https() {
          return (httpsAgent ??= new (httpsModule().Agent)(keepAlive)); // made on the first https call
        },
      },
      refusal: (route) => this.#refusal(route),
      metered: (route, call) => this.#metered(route, call),
    };
    server.on("request", (req, res) => this.#handle(req, res));
    // Codex tries the Responses API over WebSocket first; refusing the upgrade makes it stream over HTTP.
    server.on("upgrade", (req: http.IncomingMessage, socket: Socket) => {
      ctx.logger.log("info", "gateway refused websocket", { path: (req.url ?? "").replace(/^\/r\/[^/]+/, "/r/…") });
      socket.end("HTTP/1.1 426 Upgrade Required\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    });
    server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  static async start(ctx: RelayContext): Promise<Gateway> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    server.unref(); // the gateway never keeps a finished process alive
    return new Gateway(ctx, server);
  }

  /**
   * A route for request `id` of `kind`, forwarding to `upstream` (the provider's real base_url) and
   * recording its calls; with `replay`, answering from that recording instead (no upstream, no cap).
   */
  open(options: { id: string; kind: string; upstream: string; provider?: string; replay?: ReplaySource }): GatewayRoute {
    const provider = options.provider ?? `the provider at ${options.upstream}`;
    const { replay } = options;
    const cap = replay ? null : requestCap(this.#ctx.config.budget, options.kind);
    const recorder = replay ? null : this.#recorder(options);
    const route = new GatewayRoute({ id: options.id, kind: options.kind, upstream: options.upstream, provider, cap, recorder, replay: replay ?? null });
    this.#routes.set(route.secret, route);
    return route;
  }

  /** The base_url that sends Codex's calls through `route`. */
  baseUrl(route: GatewayRoute): string {
    return `http://127.0.0.1:${this.port}/r/${route.secret}`;
  }

  close(route: GatewayRoute): void {
    this.#routes.delete(route.secret);
  }

  /** The daily cap's error when today's spending already reached it. */
  async dailyRefusal(): Promise<ReturnType<typeof budgetExceeded> | null> {
    const cap = this.#ctx.config.budget.daily_tokens;
    if (cap === undefined) return null;
    const today = await this.#daily.totals(utcDay(this.#ctx.now()));
    const spent = spentTokens(today);
    return spent >= cap ? budgetExceeded("budget.daily_tokens", spent, cap, `this workspace (${today.day}, UTC)`) : null;
  }

  #prunedAt = Number.NEGATIVE_INFINITY;

  // A new recording first makes room: older ones go until all fit in gateway.recordings_max_bytes.
  #recorder(options: { id: string; kind: string; upstream: string }): Recorder | null {
    const { record, recording_max_bytes, recordings_max_bytes } = this.#ctx.config.gateway;
    const maxBytes = Math.min(recording_max_bytes, recordings_max_bytes);
    if (!record || maxBytes === 0) return null;
    const root = path.dirname(this.#ctx.layout.recording(options.id));
    // Pruning stats every recording kept, so a daemon does it at most once a minute (and a new
    // process at once): per request it cost O(recordings), which grew with the workspace's history.
    // Between two prunes the total can pass the bound by what a minute's runs record.
    const now = Date.now();
    if (now - this.#prunedAt >= PRUNE_EVERY_MS) {
      this.#prunedAt = now;
      const open = new Set([...this.#routes.values()].map((route) => route.id).concat(options.id));
      this.#track(pruneRecordings(root, open, recordings_max_bytes - maxBytes));
    }
    return new Recorder({
      dir: this.#ctx.layout.recording(options.id),
      header: { id: options.id, kind: options.kind, upstream: options.upstream, started_at: this.#ctx.now().toISOString() },
      maxBytes,
      track: (write) => this.#track(write),
      redact: (text) => this.#ctx.redactor.redact(text),
      onError: (error) => this.#ctx.logger.log("warn", "recording given up", { id: options.id, message: error instanceof Error ? error.message : String(error) }),
    });
  }

  #track(write: Promise<unknown>): void {
    const settled = write.catch(() => undefined);
    this.#writes.add(settled);
    void settled.then(() => this.#writes.delete(settled));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.#writes]);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#policy.agents.http.destroy();
    this.#httpsAgent()?.destroy();
    await closed;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const match = /^\/r\/([A-Za-z0-9_-]+)(\/.*)?$/.exec(req.url ?? "");
    const route = match ? this.#routes.get(match[1]!) : undefined;
    if (!route) {
      req.resume();
      return sendJson(res, 403, { error: { message: "codex-relay gateway: unknown or missing run secret", type: "forbidden" } });
    }
    const rest = match![2] ?? "";
    const call = route.replay ? replayCall(req, res, route, rest, route.replay, this.#ctx.redactor) : forwardCall(req, res, route, rest, this.#policy);
    call.catch((error: unknown) => {
      this.#ctx.logger.log("error", "gateway call failed", { id: route.id, message: error instanceof Error ? error.message : String(error) });
      sendJson(res, 502, { error: { message: "codex-relay gateway: internal error", type: "gateway_error" } });
    });
  }

  async #refusal(route: GatewayRoute): Promise<ReturnType<typeof budgetExceeded> | null> {
    const spent = spentTokens(route.totals);
    if (route.cap && spent >= route.cap.tokens) return budgetExceeded(route.cap.key, spent, route.cap.tokens, `request ${route.id}`);
    return this.dailyRefusal();
  }

  async #metered(route: GatewayRoute, call: Parameters<CallPolicy["metered"]>[1]): Promise<void> {
    route.record(call);
    const write = this.#daily.add(utcDay(this.#ctx.now()), route.kind, call);
    this.#track(write);
    await write;
    this.#ctx.logger.log("info", "model call", { id: route.id, call: call.call, status: call.status, input_tokens: call.input_tokens, output_tokens: call.output_tokens, ttfb_ms: call.ttfb_ms, total_ms: call.total_ms, redacted: call.redacted });
  }
}

const gateways = new WeakMap<RelayContext, Promise<Gateway>>();

/** This process's gateway for `ctx`, started on first use. */
export function gatewayFor(ctx: RelayContext): Promise<Gateway> {
  let gateway = gateways.get(ctx);
  if (!gateway) {
    gateway = Gateway.start(ctx);
    gateways.set(ctx, gateway);
  }
  return gateway;
}

/** Stop `ctx`'s gateway if one was started (daemon shutdown, end of `run`). */
export async function stopGateway(ctx: RelayContext): Promise<void> {
  const gateway = gateways.get(ctx);
  if (!gateway) return;
  gateways.delete(ctx);
  await (await gateway).stop();
}
