// A local stand-in for Anthropic's Messages API, for the Claude Code end-to-end check
// (scripts/e2e-claude-code/run.mjs; not part of `npm test`). `ANTHROPIC_BASE_URL` points Claude
// Code at it. It answers `POST /v1/messages` as a stream of server-sent events (or one JSON message
// when the request does not ask for a stream), with what a script decides for each request, and
// logs every request it receives so the check can read what reached the model.
import { createServer } from "node:http";

/**
 * A reply block: `{ text }` or `{ tool: "Bash", input: { command } }`.
 * `decide(body)` returns (or resolves to) the blocks of the reply to one request (undefined: a short "ok").
 */
export async function startMessagesServer(decide) {
  const received = [];
  let counter = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => void answer().catch((error) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: String(error) } }));
    }));
    const answer = async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body;
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        body = { unparsed: raw };
      }
      received.push({ method: req.method, url: req.url, headers: { "x-claude-code-session-id": req.headers["x-claude-code-session-id"] }, body });
      if (req.method !== "POST" || !req.url.startsWith("/v1/messages")) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: `no ${req.method} ${req.url} here` } }));
        return;
      }
      if (req.url.startsWith("/v1/messages/count_tokens")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ input_tokens: 100 }));
        return;
      }
      counter += 1;
      let blocks;
      try {
        blocks = (await decide(body)) ?? [{ text: "ok" }];
      } catch (error) {
        blocks = [{ text: `stand-in script failed: ${error instanceof Error ? error.message : String(error)}` }];
      }
      const content = blocks.map((block, i) =>
        block.tool ? { type: "tool_use", id: `toolu_e2e_${counter}_${i}`, name: block.tool, input: block.input } : { type: "text", text: block.text },
      );
      const stopReason = content.some((block) => block.type === "tool_use") ? "tool_use" : "end_turn";
      const message = { id: `msg_e2e_${counter}`, type: "message", role: "assistant", model: body.model ?? "claude-e2e", content, stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: 100, output_tokens: 20 } };
      if (body.stream) streamMessage(res, message);
      else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(message));
      }
    };
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The Messages API's streaming events for one whole message. */
function streamMessage(res, message) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const send = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send("message_start", { message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 100, output_tokens: 1 } } });
  message.content.forEach((block, index) => {
    if (block.type === "text") {
      send("content_block_start", { index, content_block: { type: "text", text: "" } });
      send("content_block_delta", { index, delta: { type: "text_delta", text: block.text } });
    } else {
      send("content_block_start", { index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
      send("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) } });
    }
    send("content_block_stop", { index });
  });
  send("message_delta", { delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: 20 } });
  send("message_stop", {});
  res.end();
}
