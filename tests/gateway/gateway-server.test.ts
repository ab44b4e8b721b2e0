// The gateway server on its own, with the model fixture as upstream: only a run's secret path is
// served, and SSE chunks leave the gateway as they arrive (no buffering).
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRelayContext, type RelayContext } from "../../src/context/relay-context.js";
import { Gateway } from "../../src/gateway/gateway.js";
import { startModelServer, type ModelServer } from "../fixtures/model-server.js";
import { until } from "../helpers/relay-workspace.js";

let dir: string;
let server: ModelServer;
let ctx: RelayContext;
let gateway: Gateway;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "codex-relay-gw-"));
  server = await startModelServer();
  ctx = await createRelayContext({ workspace: dir, env: { HOME: dir } });
  gateway = await Gateway.start(ctx);
});
afterEach(async () => {
  await gateway.stop();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** POST a Responses call to `url`; resolves with the status and the body chunks (also pushed to `seen` as they come). */
function post(url: string, seen: string[] = []): Promise<{ status: number; chunks: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      const chunks = seen;
      res.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, chunks }));
    });
    req.on("error", reject);
    req.end(JSON.stringify({ model: "m", input: [], stream: true }));
  });
}

describe("the gateway server", () => {
  it("answers 403 to a call without the run's secret, and forwards nothing", async () => {
    const route = gateway.open({ id: "r1", kind: "analysis", upstream: server.url });
    const base = `http://127.0.0.1:${gateway.port}`;
    expect((await post(`${base}/responses`)).status).toBe(403);
    expect((await post(`${base}/r/not-the-secret/responses`)).status).toBe(403);
    expect(server.requests).toHaveLength(0);
    expect((await post(`${gateway.baseUrl(route)}/responses`)).status).toBe(200);
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/responses"]);
  });

  it("passes SSE events through as they arrive", async () => {
    const route = gateway.open({ id: "r2", kind: "analysis", upstream: server.url });
    // The fixture sends `response.created` and then holds the stream open: a buffering gateway
    // would pass nothing on until the stream ends, which only happens when the fixture closes.
    server.enqueue({ kind: "stall_after_created" });
    const seen: string[] = [];
    const pending = post(`${gateway.baseUrl(route)}/responses`, seen);
    await until(() => seen.some((c) => c.includes("response.created")), "response.created to reach the client while the stream is open", 10_000);
    await server.close();
    expect((await pending).status).toBe(200);
  });
});
