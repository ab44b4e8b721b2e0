// One Codex turn as every kind runs it: the REAL codex binary against the scripted model server.
import { readFileSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { askCodex } from "../../src/codex/ask-codex.js";
import { codexSetup } from "../../src/codex/codex-setup.js";
import type { ReplySchema } from "../../src/codex/reply-schema.js";
import { Requeue } from "../../src/codex/requeue.js";
import type { KindRun } from "../../src/context/kind-run.js";
import { createRelayContext, type RelayContext } from "../../src/context/relay-context.js";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import { CodexReply, codexReplyJsonSchema } from "../../src/protocol/result.js";
import { jsonMessage } from "../fixtures/model-server.js";
import { analysisReply, makeTestWorkspace, type TestWorkspace } from "../helpers/relay-workspace.js";

const SCHEMA: ReplySchema<CodexReply> = { name: "analysis", type: CodexReply, json: codexReplyJsonSchema };
const ID = "20260101_120000";

let ws: TestWorkspace;
let ctx: RelayContext;
beforeEach(async () => {
  ws = await makeTestWorkspace();
  ctx = await createRelayContext({ workspace: ws.dir, env: ws.env });
});
afterEach(async () => {
  await ctx.logger.close();
  await ws.cleanup();
});

function kindRun(signal?: AbortSignal): KindRun {
  const parsed = parseRequest(renderRequest({ kind: "analysis", issue: "Why does it fail?", createdAt: new Date() }));
  if (!parsed.ok) throw new Error(parsed.reason);
  const codex = { version: null, bin: null, model: null, thread_id: null, sandbox: "read-only" as const, exit_code: null };
  return { ctx, id: ID, request: parsed.request, signal, codex, warnings: [] };
}

const ask = (run: KindRun, turn: { resumeThreadId?: string; resumable?: boolean } = {}) =>
  askCodex(run, { cwd: ws.dir, sandbox: "read-only", prompt: "Why does it fail?", schema: SCHEMA, ...turn });

/** The session files Codex kept under CODEX_HOME (sessions/YYYY/MM/DD/rollout-*.jsonl). */
async function sessionFiles(): Promise<string[]> {
  const dir = path.join(ws.env.CODEX_HOME ?? "", "sessions");
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((name) => name.endsWith(".jsonl"));
}

describe("askCodex", () => {
  it("returns the reply checked against the schema, with usage, and records Codex in the RESULT fields and the LOG", async () => {
    ws.server.enqueue(jsonMessage(analysisReply()));
    const run = kindRun();
    const turn = await ask(run);
    expect(turn.kind).toBe("replied");
    expect(turn.kind === "replied" && turn.reply.root_cause).toBe(analysisReply().root_cause);
    expect(turn.base.usage).toMatchObject({ input_tokens: 10, output_tokens: 5, cost_usd: null });
    expect(run.codex).toMatchObject({ sandbox: "read-only", exit_code: 0 });
    expect(run.codex.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.codex.thread_id).toBeTruthy();
    const events = readFileSync(ctx.layout.log(ID), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === "thread.started" && e.thread_id === run.codex.thread_id)).toBe(true);
  });

  it("keeps a reply that does not match the schema as a failed outcome with the raw text", async () => {
    ws.server.enqueue({ kind: "message", text: "I think it is the cache." });
    const turn = await ask(kindRun());
    expect(turn.kind).toBe("invalid");
    expect(turn.kind !== "replied" && turn.outcome).toMatchObject({ kind: "finish", status: "failed", rawReply: "I think it is the cache." });
    expect(turn.kind !== "replied" && turn.outcome.error?.code).toBe("invalid_reply");
  });

  it("ends cancelled on a cancel, and throws the signal's Requeue on a shutdown (no outcome, the request runs again)", async () => {
    for (const reason of ["cancelled", new Requeue("shutdown")]) {
      ws.server.enqueue({ kind: "hang" });
      const abort = new AbortController();
      const asked = ask(kindRun(abort.signal)).then((turn) => turn, (error: unknown) => error);
      await ws.server.waitForRequests(ws.server.requests.length + 1, 30_000);
      abort.abort(reason);
      const got = await asked;
      if (reason instanceof Requeue) expect(got).toBe(reason);
      else expect(got).toMatchObject({ kind: "ended", outcome: { status: "cancelled", error: { code: "cancelled" } } });
    }
  });

  it("sets Codex up once per request, and a second turn continues the first (resumable) one's thread", async () => {
    ws.server.enqueue(jsonMessage(analysisReply()), jsonMessage(analysisReply({ confidence: "low" })));
    const run = kindRun();
    expect(codexSetup(run)).toBe(codexSetup(run));
    const first = await ask(run, { resumable: true });
    const thread = run.codex.thread_id;
    const second = await ask(run, { resumeThreadId: thread ?? undefined });
    expect([first.kind, second.kind]).toEqual(["replied", "replied"]);
    expect(second.kind === "replied" && second.reply.confidence).toBe("low");
    expect(run.codex.thread_id).toBe(thread);
    expect(codexSetup(kindRun())).not.toBe(codexSetup(run));
  });

  it("keeps no Codex session for a turn nothing resumes (codex exec --ephemeral), unless codex.keep_sessions is on", async () => {
    ws.server.enqueue(jsonMessage(analysisReply()), jsonMessage(analysisReply()));
    const plain = await ask(kindRun());
    expect(plain.kind).toBe("replied");
    expect(await sessionFiles()).toEqual([]);
    const resumable = await ask(kindRun(), { resumable: true });
    expect(resumable.kind).toBe("replied");
    expect(await sessionFiles()).toHaveLength(1);

    await ctx.logger.close();
    await writeFile(path.join(ws.dir, "codex-relay.toml"), `${readFileSync(path.join(ws.dir, "codex-relay.toml"), "utf8")}`.replace("[codex]\n", "[codex]\nkeep_sessions = true\n"));
    ctx = await createRelayContext({ workspace: ws.dir, env: ws.env });
    expect(ctx.config.codex.keep_sessions).toBe(true);
    ws.server.enqueue(jsonMessage(analysisReply()));
    expect((await ask(kindRun())).kind).toBe("replied");
    expect(await sessionFiles()).toHaveLength(2);
  });
});
