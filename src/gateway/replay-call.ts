// One model call during `codex-relay replay`: compared with the recorded call of the same number
// and answered from the recording, byte for byte, with no upstream at all. A call the recording
// does not hold ends the run with `replay_diverged`, naming the call and what differed.
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import type http from "node:http";
import { RelayError } from "../errors.js";
import type { Redactor } from "../security/redact.js";
import { firstDifference, normalizeCall } from "./call-compare.js";
import { sendJson, streamBack } from "./forward-call.js";
import type { GatewayRoute } from "./gateway-route.js";
import { outboundBody, readBody } from "./outbound-body.js";
import type { ReplaySource } from "./replay-source.js";

export async function replayCall(req: http.IncomingMessage, res: http.ServerResponse, route: GatewayRoute, rest: string, replay: ReplaySource, redactor: Redactor): Promise<void> {
  const started = performance.now();
  const n = route.nextCall();
  // Redacted as the recorded body was when it left the machine, so equal requests compare equal.
  const body = await outboundBody(await readBody(req), req.headers["content-encoding"] as string | undefined, redactor, new Map());
  const method = req.method ?? "POST";
  const recorded = replay.calls.get(n);
  const diverged = (what: string): void => {
    route.fail(new RelayError("replay_diverged", `the replay of ${replay.id} diverged at model call ${n}: ${what}`));
    sendJson(res, 400, { error: { message: route.fatal?.message ?? "replay diverged", type: "replay_diverged" } });
  };
  if (!recorded) {
    if (replay.stop && replay.stop.call <= n) return diverged(`the recording stops before it (it reached gateway.recording_max_bytes, ${replay.stop.max_bytes} bytes)`);
    return diverged(`the recording holds ${replay.calls.size} call(s) and none numbered ${n}; Codex asked one more (${method} ${rest})`);
  }
  if (recorded.method !== method || recorded.path !== rest) return diverged(`Codex sent ${method} ${rest}, the recording holds ${recorded.method} ${recorded.path}`);
  const ids = { fromId: route.id, toId: replay.id };
  const before = normalizeCall(parseBody(await readFile(replay.files.request(n))), ids);
  const diff = firstDifference(before, normalizeCall(parseBody(body.bytes), ids));
  if (diff) return diverged(`${diff.path} differs (recorded ${diff.recorded}, now ${diff.now})`);

  res.writeHead(recorded.status, recorded.content_type ? { "content-type": recorded.content_type } : {});
  res.flushHeaders();
  const streamed = await streamBack(createReadStream(replay.files.response(n)), res, started);
  // Replayed calls count in the RESULT's meter, never in the day's totals: nothing was spent.
  if (method === "POST") route.record({ ...streamed, call: n, status: recorded.status, redacted: body.redacted, redacted_kinds: body.kinds });
}

/** A body as JSON, or as its text when it is not JSON. */
function parseBody(bytes: Buffer): unknown {
  const text = bytes.toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
