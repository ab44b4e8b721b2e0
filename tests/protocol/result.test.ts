import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { Analysis, CodexReply, codexReplyJsonSchema, RESULT_SCHEMA_ID, ResultFile } from "../../src/protocol/result.js";

const reply = {
  root_cause: "The handler awaits a promise that is never resolved.",
  technical_explanation: "start() returns before the queue is ready, so /runs/start hits undefined.",
  recommended_fixes: [
    { priority: 1, title: "Await the queue", details: "Make start() async and await ready().", files: ["src/main.ts"], code: "await queue.ready();" },
    { priority: 2, title: "Log the stack", details: "Add the missing traceback.", files: [], code: null },
  ],
  code_examples: [{ file: "src/main.ts", language: "ts", code: "export async function start() {}" }],
  additional_investigation: ["Check the retry path."],
  confidence: "high",
  patch: null,
};

type Node = Record<string, unknown>;

/** Every object-typed schema node with its JSON path. */
function objectNodes(node: unknown, where = "$", out: [string, Node][] = []): [string, Node][] {
  if (Array.isArray(node)) node.forEach((child, i) => objectNodes(child, `${where}[${i}]`, out));
  else if (node && typeof node === "object") {
    const record = node as Node;
    const type = record.type;
    if (type === "object" || (Array.isArray(type) && type.includes("object")) || record.properties) out.push([where, record]);
    for (const [key, child] of Object.entries(record)) objectNodes(child, `${where}.${key}`, out);
  }
  return out;
}

/** Does this property schema allow null (type array or anyOf with a null branch)? */
function allowsNull(schema: Node): boolean {
  if (schema.type === "null") return true;
  if (Array.isArray(schema.type) && schema.type.includes("null")) return true;
  const anyOf = (schema.anyOf ?? schema.oneOf) as Node[] | undefined;
  return Array.isArray(anyOf) && anyOf.some(allowsNull);
}

describe("codexReplyJsonSchema", () => {
  const schema = codexReplyJsonSchema();

  it("has no $schema key (codex's --output-schema wants the bare schema)", () => {
    expect(schema).not.toHaveProperty("$schema");
    expect(JSON.stringify(schema)).not.toContain('"$schema"');
  });

  it("is strict: every object closes additionalProperties and requires every property", () => {
    const objects = objectNodes(schema);
    expect(objects.map(([where]) => where)).toEqual([
      "$",
      "$.properties.recommended_fixes.items",
      "$.properties.code_examples.items",
    ]);
    for (const [where, node] of objects) {
      expect(node.additionalProperties, where).toBe(false);
      expect([...((node.required as string[]) ?? [])].sort(), where).toEqual(Object.keys(node.properties as object).sort());
    }
  });

  it("requires every key of a reply, including the nullable ones", () => {
    expect([...(schema.required as string[])].sort()).toEqual(Object.keys(reply).sort());
  });

  it("expresses optional values as nullable, never as optional keys", () => {
    const properties = schema.properties as Record<string, Node>;
    expect(allowsNull(properties.patch!)).toBe(true);
    const fix = ((properties.recommended_fixes!.items as Node).properties as Record<string, Node>);
    expect(allowsNull(fix.code!)).toBe(true);
    expect(allowsNull(properties.root_cause!)).toBe(false);
  });

  it("limits confidence to high, medium and low", () => {
    const properties = schema.properties as Record<string, Node>;
    expect(properties.confidence).toMatchObject({ type: "string", enum: ["high", "medium", "low"] });
  });

  it("is plain JSON (survives a round trip unchanged) and a fresh object per call", () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    const again = codexReplyJsonSchema();
    expect(again).toEqual(schema);
    expect(again).not.toBe(schema);
  });
});

describe("CodexReply", () => {
  it("accepts a full valid reply", () => {
    expect(CodexReply.parse(reply)).toEqual(reply);
  });

  it("accepts a reply with a patch and empty lists", () => {
    const minimal = { ...reply, recommended_fixes: [], code_examples: [], additional_investigation: [], patch: "--- a/x\n+++ b/x\n" };
    expect(CodexReply.safeParse(minimal).success).toBe(true);
  });

  for (const key of Object.keys(reply)) {
    it(`rejects a reply without \`${key}\``, () => {
      const { [key]: _dropped, ...rest } = reply as Record<string, unknown>;
      const result = CodexReply.safeParse(rest);
      expect(result.success).toBe(false);
      expect(result.error!.issues.map((issue) => issue.path.join("."))).toContain(key);
    });
  }

  it("rejects a fix without its nullable `code` key", () => {
    const { code: _dropped, ...fix } = reply.recommended_fixes[0]!;
    const result = CodexReply.safeParse({ ...reply, recommended_fixes: [fix] });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(["recommended_fixes", 0, "code"]);
  });

  it("rejects a confidence other than high, medium or low", () => {
    for (const confidence of ["certain", "High", "", null]) {
      const result = CodexReply.safeParse({ ...reply, confidence });
      expect(result.success, String(confidence)).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual(["confidence"]);
    }
  });

  it("rejects extra keys, a fractional priority and a string where a list belongs", () => {
    expect(CodexReply.safeParse({ ...reply, summary: "extra" }).success).toBe(false);
    expect(CodexReply.safeParse({ ...reply, recommended_fixes: [{ ...reply.recommended_fixes[0]!, priority: 1.5 }] }).success).toBe(false);
    expect(CodexReply.safeParse({ ...reply, additional_investigation: "look again" }).success).toBe(false);
  });

  it("Analysis is the reply without `patch`", () => {
    const { patch: _patch, ...analysis } = reply;
    expect(Analysis.parse(analysis)).toEqual(analysis);
    expect(Analysis.safeParse(reply).success).toBe(false);
  });
});

describe("ResultFile", () => {
  it("accepts the RESULT json of a completed request", () => {
    const { patch: _patch, ...analysis } = reply;
    const result = {
      schema: RESULT_SCHEMA_ID,
      id: "20251128_143022",
      request: "CODEX_DELEGATION_REQUEST_20251128_143022.md",
      kind: "analysis",
      status: "completed",
      summary: "The handler awaits a promise that is never resolved.",
      analysis,
      patch: null,
      warnings: ["file not found: src/x.py"],
      error: null,
      raw_reply: null,
      codex: { version: "0.169.0", bin: "/usr/bin/codex", model: null, thread_id: "t-1", sandbox: "read-only", exit_code: 0 },
      usage: { input_tokens: 10, cached_input_tokens: 3, output_tokens: 5, reasoning_output_tokens: 1, cost_usd: null },
      timing: { detected_at: "2025-11-28T14:30:22Z", started_at: "2025-11-28T14:30:23Z", finished_at: "2025-11-28T14:31:00Z", duration_ms: 37000 },
    };
    expect(ResultFile.parse(result)).toEqual(result);
    expect(RESULT_SCHEMA_ID).toBe("codex-relay/result@1");
    expect(ResultFile.safeParse({ ...result, status: "done" }).success).toBe(false);
    expect(ResultFile.safeParse({ ...result, schema: "codex-relay/result@2" }).success).toBe(false);
  });
});

describe("the RESULT schema id", () => {
  it("is written once, in a protocol module that loads nothing (clients check it without zod)", async () => {
    const src = new URL("../../src/", import.meta.url);
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith(".ts"));
    const writers: string[] = [];
    for (const file of files) if ((await readFile(new URL(file, src), "utf8")).includes('"codex-relay/result@1"')) writers.push(file);
    expect(writers).toEqual(["protocol/result-schema-id.ts"]);
    const module = await readFile(new URL("protocol/result-schema-id.ts", src), "utf8");
    expect(module).not.toMatch(/^\s*import\b/m);
  });
});
