// The one stand-in in our tests: a local Responses API server that plays the model behind the
// REAL codex binary. Codex (pointed here by codexProviderOverrides) POSTs /v1/responses with
// `stream: true`; each POST takes the next queued Reply, or the default one when the queue is empty.
//
// Shapes verified against codex 0.169.0 (see tests/helpers/model-server.test.ts):
// - function_call `exec_command` takes JSON arguments `{ cmd: string, workdir?, login?, tty?,
//   shell?, yield_time_ms?, max_output_tokens?, sandbox_permissions?, justification?, prefix_rule? }`.
//   Codex accepts it for every model, even code-mode models (the default `gpt-6.1-sol`) that only
//   advertise a JS `exec` tool inside an `additional_tools` input item.
// - `apply_patch` is a freeform tool: a `custom_tool_call` whose `input` is the patch text
//   (`*** Begin Patch` … `*** End Patch`). `-m gpt-5.5` lists it in `body.tools`; it runs either way.
// - the tool's result comes back in the NEXT request as a `function_call_output` /
//   `custom_tool_call_output` input item with the same `call_id`.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { MOCK_API_KEY } from "./codex-home.js";

/** Token counts sent in `response.completed`; codex reports them in `turn.completed.usage`. */
export interface MockUsage {
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

interface ReplyTiming {
  /** Wait this long before answering (the request is recorded at once). */
  delayMs?: number;
}

export type Reply = ReplyTiming &
  (
    | { kind: "message"; text: string; usage?: MockUsage }
    | { kind: "tool_call"; name: string; arguments: Record<string, unknown>; callId?: string; usage?: MockUsage }
    | { kind: "custom_tool_call"; name: string; input: string; callId?: string; usage?: MockUsage }
    | { kind: "http_error"; status: number; body?: unknown; headers?: Record<string, string> }
    | { kind: "hang" }
    | { kind: "stall_after_created" }
    | { kind: "sse"; events: Array<Record<string, unknown>> }
  );

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or null when the body is empty or not JSON. */
  body: any;
  /** The body as received (decompressed), for byte-level assertions. */
  raw: string;
  /** Every text the model would read (message texts, tool arguments and outputs, instructions), joined by newlines. */
  text: string;
}

/** A reply computed from the request it answers. */
export type ReplyFn = (request: RecordedRequest) => Reply;

export interface ModelServer {
  /** The provider base_url, ending in /v1. */
  url: string;
  port: number;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  enqueue(...replies: Array<Reply | ReplyFn>): void;
  /** The reply used when the queue is empty. */
  setDefault(reply: Reply | ReplyFn): void;
  /** Resolves with `requests` once at least `n` requests arrived; rejects after `timeoutMs`. */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Stops the server and destroys open sockets, so hanging replies never block it. Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_USAGE: MockUsage = { input_tokens: 10, cached_tokens: 3, output_tokens: 5, reasoning_tokens: 1 };

/** An assistant message whose text is `value` as JSON (what `--output-schema` asks for). */
export function jsonMessage(value: unknown): Reply {
  return { kind: "message", text: JSON.stringify(value) };
}

/** A call of codex's `exec_command` tool; `login: false` keeps login-shell noise out of the output. */
export function execCommand(cmd: string, options: { workdir?: string; callId?: string } = {}): Reply {
  const args: Record<string, unknown> = { cmd, login: false };
  if (options.workdir !== undefined) args.workdir = options.workdir;
  return { kind: "tool_call", name: "exec_command", arguments: args, callId: options.callId };
}

/** A call of codex's freeform `apply_patch` tool with a `*** Begin Patch` … `*** End Patch` text. */
export function applyPatch(patch: string, callId?: string): Reply {
  return { kind: "custom_tool_call", name: "apply_patch", input: patch, callId };
}

/** The input items of one type in a recorded /v1/responses request (e.g. "function_call_output"). */
export function inputItems(request: RecordedRequest, type: string): any[] {
  const input: unknown = request.body?.input;
  return Array.isArray(input) ? input.filter((item) => item?.type === type) : [];
}

export async function startModelServer(): Promise<ModelServer> {
  const requests: RecordedRequest[] = [];
  const queue: Array<Reply | ReplyFn> = [];
  let fallback: Reply | ReplyFn = { kind: "message", text: "mock reply" };
  let replyCount = 0;
  let closed = false;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      // A broken reply must reach the test as a failed codex turn, not crash the test runner.
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `mock model server: ${String(error)}` } }));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = parseJson(raw);
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      path: (req.url ?? "").split("?")[0] ?? "",
      headers: req.headers,
      body,
      raw,
      text: collectText(body),
    };
    requests.push(recorded);
    for (const wake of waiters) wake();

    if (recorded.method === "GET" && recorded.path.endsWith("/models")) {
      // What `codex-relay doctor` probes: a real provider lists its models for a good key only.
      const good = req.headers.authorization === `Bearer ${MOCK_API_KEY}`;
      res.writeHead(good ? 200 : 401, { "content-type": "application/json" });
      res.end(JSON.stringify(good ? { object: "list", data: [{ id: "gpt-5.5", object: "model" }] } : { error: { message: "Incorrect API key provided", code: "invalid_api_key" } }));
      return;
    }
    if (recorded.method !== "POST" || !recorded.path.endsWith("/responses")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `mock model server: no route ${recorded.method} ${recorded.path}` } }));
      return;
    }
    const next = queue.shift() ?? fallback;
    const reply = typeof next === "function" ? next(recorded) : next;
    replyCount += 1;
    if (reply.delayMs) await sleep(reply.delayMs);
    if (closed) return;
    send(res, reply, replyCount);
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    setDefault: (reply) => {
      fallback = reply;
    },
    waitForRequests: (n, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        if (requests.length >= n) return resolve(requests);
        const check = (): void => {
          if (requests.length < n) return;
          cleanup();
          resolve(requests);
        };
        const timer = setTimeout(() => {
          cleanup();
          const seen = requests.map((r) => `${r.method} ${r.path}`).join(", ") || "none";
          reject(new Error(`mock model server: expected ${n} request(s) within ${timeoutMs} ms, got ${requests.length} (${seen})`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}

function send(res: http.ServerResponse, reply: Reply, n: number): void {
  const responseId = `resp_${n}`;
  switch (reply.kind) {
    case "http_error": {
      const body = reply.body ?? { error: { message: `mock error ${reply.status}`, type: "mock_error" } };
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
      return;
    }
    case "hang":
      return; // Headers are never sent; close() destroys the socket.
    case "stall_after_created":
      startSse(res);
      writeEvent(res, { type: "response.created", response: { id: responseId } });
      return;
    case "sse":
      startSse(res);
      for (const event of reply.events) writeEvent(res, event);
      res.end();
      return;
    case "message":
    case "tool_call":
    case "custom_tool_call":
      startSse(res);
      writeEvent(res, { type: "response.created", response: { id: responseId } });
      writeEvent(res, { type: "response.output_item.done", item: outputItem(reply, n) });
      writeEvent(res, completed(responseId, reply.usage ?? DEFAULT_USAGE));
      res.end();
      return;
  }
}

function outputItem(reply: Extract<Reply, { kind: "message" | "tool_call" | "custom_tool_call" }>, n: number): object {
  switch (reply.kind) {
    case "message":
      return { type: "message", role: "assistant", id: `msg_${n}`, content: [{ type: "output_text", text: reply.text }] };
    case "tool_call":
      // `arguments` is a JSON *string* on the wire, as the Responses API sends it.
      return {
        type: "function_call",
        id: `fc_${n}`,
        call_id: reply.callId ?? `call_${n}`,
        name: reply.name,
        arguments: JSON.stringify(reply.arguments),
      };
    case "custom_tool_call":
      return { type: "custom_tool_call", id: `ctc_${n}`, call_id: reply.callId ?? `call_${n}`, name: reply.name, input: reply.input };
  }
}

function completed(responseId: string, usage: MockUsage): Record<string, unknown> {
  return {
    type: "response.completed",
    response: {
      id: responseId,
      usage: {
        input_tokens: usage.input_tokens,
        input_tokens_details: { cached_tokens: usage.cached_tokens },
        output_tokens: usage.output_tokens,
        output_tokens_details: { reasoning_tokens: usage.reasoning_tokens },
        total_tokens: usage.input_tokens + usage.output_tokens,
      },
    },
  };
}

function startSse(res: http.ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
}

function writeEvent(res: http.ServerResponse, event: Record<string, unknown>): void {
  const name = typeof event.type === "string" ? `event: ${event.type}\n` : "";
  res.write(`${name}data: ${JSON.stringify(event)}\n\n`);
}

const decoders: Record<string, (buffer: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const buffer = Buffer.concat(chunks);
  // Codex compresses request bodies for OpenAI's own endpoint; decode in case a version does it here.
  const decode = decoders[String(req.headers["content-encoding"] ?? "")];
  return (decode ? await decode(buffer) : buffer).toString("utf8");
}

function parseJson(raw: string): any {
  if (raw === "") return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null; // Not JSON: the test still sees `raw`.
  }
}

// Fields that carry model-visible text in Responses API input items.
const TEXT_KEYS = new Set(["text", "arguments", "output", "input"]);

function collectText(body: any): string {
  const parts: string[] = [];
  if (typeof body?.instructions === "string") parts.push(body.instructions);
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === "string") {
      if (key !== undefined && TEXT_KEYS.has(key)) parts.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key === "input" || key === "output" ? undefined : key);
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  if (Array.isArray(body?.input)) {
    // `additional_tools` items only describe tools; they are not conversation text.
    for (const item of body.input) if (item?.type !== "additional_tools") visit(item, undefined);
  }
  return parts.join("\n");
}
