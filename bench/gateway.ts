// The model gateway's cost per call: time to first byte and total of a streamed Responses call,
// straight to the scripted model server and through the gateway (recording each call, the
// default, and with `gateway.record = false`), interleaved, p50/p99.
import http from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createRelayContext } from "../src/context/relay-context.js";
import { Gateway } from "../src/gateway/gateway.js";
import { jsonMessage, startModelServer } from "../tests/fixtures/model-server.js";
import { pct, type Row } from "./bench-kit.js";

const CALLS = Number(process.env.BENCH_GATEWAY_N ?? 300);
const BODY = JSON.stringify({ model: "gpt-5.5", stream: true, input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "x".repeat(20_000) }] }] });
const agent = new http.Agent({ keepAlive: true });

export async function benchGateway(): Promise<Row[]> {
  const server = await startModelServer();
  server.setDefault(jsonMessage({ answer: "bench" }));
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-gateway-"));
  const plainDir = await mkdtemp(path.join(os.tmpdir(), "bench-gateway-unrecorded-"));
  await writeFile(path.join(plainDir, "codex-relay.toml"), "[gateway]\nrecord = false\n");
  const ctx = await createRelayContext({ workspace: dir, env: { HOME: dir } });
  const plainCtx = await createRelayContext({ workspace: plainDir, env: { HOME: plainDir } });
  const gateway = await Gateway.start(ctx);
  const plainGateway = await Gateway.start(plainCtx);
  const route = gateway.open({ id: "bench", kind: "analysis", upstream: server.url });
  const plainRoute = plainGateway.open({ id: "bench", kind: "analysis", upstream: server.url });
  const urls = [`${server.url}/responses`, `${gateway.baseUrl(route)}/responses`, `${plainGateway.baseUrl(plainRoute)}/responses`];
  const [direct, through, unrecorded] = urls.map(() => ({ ttfb: [] as number[], total: [] as number[] })) as [Samples, Samples, Samples];
  for (const url of urls) for (let i = 0; i < 20; i += 1) await call(url); // warm every path
  const samples = [direct, through, unrecorded];
  for (let i = 0; i < CALLS; i += 1) {
    // Each path takes each place in the order in turn: none always follows another's leftover work.
    for (let k = 0; k < urls.length; k += 1) {
      const j = (i + k) % urls.length;
      add(samples[j]!, await call(urls[j]!));
    }
  }
  await gateway.stop();
  await plainGateway.stop();
  await server.close();
  agent.destroy();
  await rm(dir, { recursive: true, force: true });
  await rm(plainDir, { recursive: true, force: true });
  const added = pct(through.ttfb, 50) - pct(direct.ttfb, 50);
  return [
    { metric: `model call TTFB direct p50 / p99 (n=${CALLS}, 20 KB body)`, value: `${pct(direct.ttfb, 50)} / ${pct(direct.ttfb, 99)} ms`, target: "" },
    { metric: "model call TTFB through the gateway p50 / p99", value: `${pct(through.ttfb, 50)} / ${pct(through.ttfb, 99)} ms`, target: "" },
    { metric: "model call total direct p50 / p99", value: `${pct(direct.total, 50)} / ${pct(direct.total, 99)} ms`, target: "" },
    { metric: "model call total through the gateway p50 / p99", value: `${pct(through.total, 50)} / ${pct(through.total, 99)} ms`, target: "" },
    { metric: "gateway overhead per call, TTFB p50", value: `${added.toFixed(1)} ms`, target: "≤ 2 ms" },
    { metric: "  the same, gateway.record = false: TTFB p50 / p99", value: `${pct(unrecorded.ttfb, 50)} / ${pct(unrecorded.ttfb, 99)} ms`, target: "" },
    { metric: "  the same, gateway.record = false: total p50 / p99", value: `${pct(unrecorded.total, 50)} / ${pct(unrecorded.total, 99)} ms`, target: "" },
  ];
}

type Samples = { ttfb: number[]; total: number[] };

function add(into: Samples, sample: { ttfb: number; total: number }): void {
  into.ttfb.push(sample.ttfb);
  into.total.push(sample.total);
}

function call(url: string): Promise<{ ttfb: number; total: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
      let ttfb = NaN;
      res.on("data", () => {
        if (Number.isNaN(ttfb)) ttfb = performance.now() - started;
      });
      res.on("end", () => resolve({ ttfb, total: performance.now() - started }));
    });
    req.on("error", reject);
    req.end(BODY);
  });
}
