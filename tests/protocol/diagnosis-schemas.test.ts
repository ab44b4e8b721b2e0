import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Diagnosis, diagnosisJsonSchema } from "../../src/protocol/diagnosis.js";
import { PatchReply, patchReplyJsonSchema } from "../../src/protocol/patch-reply.js";
import { strictJsonSchema } from "../../src/protocol/result.js";

type Node = Record<string, unknown>;

/** Every object-typed schema node with its JSON path. */
function objectNodes(node: unknown, where = "$", out: [string, Node][] = []): [string, Node][] {
  if (Array.isArray(node)) node.forEach((child, i) => objectNodes(child, `${where}[${i}]`, out));
  else if (node && typeof node === "object") {
    const record = node as Node;
    if (record.type === "object" || record.properties) out.push([where, record]);
    for (const [key, child] of Object.entries(record)) objectNodes(child, `${where}.${key}`, out);
  }
  return out;
}

function expectStrict(schema: Node, objects: string[]): void {
  expect(schema).not.toHaveProperty("$schema");
  const nodes = objectNodes(schema);
  expect(nodes.map(([where]) => where)).toEqual(objects);
  for (const [where, node] of nodes) {
    expect(node.additionalProperties, where).toBe(false);
    expect([...((node.required as string[]) ?? [])].sort(), where).toEqual(Object.keys(node.properties as object).sort());
  }
  expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
}

const diagnosis = {
  root_cause: "The pool holds 10 connections.",
  technical_explanation: "Each login holds one for 400 ms.",
  recommended_fix: "Raise the pool to 50.",
  files_to_change: [{ path: "src/auth/redis-pool.ts", reason: "the size lives here" }],
  needs_write: true,
  risks: [],
  verification_notes: "npm test",
  confidence: "medium",
};

const reply = {
  summary: "Raised the pool size.",
  commit: { type: "fix", scope: "auth", subject: "raise the Redis pool to 50", body: "10 runs dry at peak." },
  files: [{ path: "src/auth/redis-pool.ts", rationale: "pool size" }],
  rationale: "Per the diagnosis.",
};

describe("diagnosisJsonSchema", () => {
  it("is strict everywhere: closed objects, every key required", () => {
    const schema = diagnosisJsonSchema();
    expectStrict(schema, ["$", "$.properties.files_to_change.items"]);
    expect([...(schema.required as string[])].sort()).toEqual(Object.keys(diagnosis).sort());
    const properties = schema.properties as Record<string, Node>;
    expect(properties.confidence).toMatchObject({ type: "string", enum: ["high", "medium", "low"] });
    expect(properties.needs_write).toMatchObject({ type: "boolean" });
  });

  it("accepts a full diagnosis and refuses a missing or an extra key", () => {
    expect(Diagnosis.parse(diagnosis)).toEqual(diagnosis);
    const { risks: _risks, ...withoutRisks } = diagnosis;
    expect(Diagnosis.safeParse(withoutRisks).success).toBe(false);
    expect(Diagnosis.safeParse({ ...diagnosis, patch: "x" }).success).toBe(false);
    expect(Diagnosis.safeParse({ ...diagnosis, files_to_change: [{ path: "a", reason: "b", lines: 3 }] }).success).toBe(false);
    expect(Diagnosis.safeParse({ ...diagnosis, confidence: "certain" }).success).toBe(false);
  });
});

describe("patchReplyJsonSchema", () => {
  it("is strict everywhere and limits the commit type to the conventional ones", () => {
    const schema = patchReplyJsonSchema();
    expectStrict(schema, ["$", "$.properties.commit", "$.properties.files.items"]);
    const commit = (schema.properties as Record<string, Node>).commit!;
    expect((commit.properties as Record<string, Node>).type).toMatchObject({ enum: ["fix", "feat", "refactor", "test", "docs", "perf", "chore", "style", "build", "ci"] });
  });

  it("accepts a reply and refuses an unknown commit type or a missing body", () => {
    expect(PatchReply.parse(reply)).toEqual(reply);
    expect(PatchReply.safeParse({ ...reply, commit: { ...reply.commit, type: "wip" } }).success).toBe(false);
    const { body: _body, ...commit } = reply.commit;
    expect(PatchReply.safeParse({ ...reply, commit }).success).toBe(false);
  });
});

describe("strictJsonSchema", () => {
  it("refuses a schema codex would reject: an optional key or an open object", () => {
    expect(() => strictJsonSchema(z.strictObject({ a: z.string(), b: z.string().optional() }))).toThrow(/not strict at \$/);
    expect(() => strictJsonSchema(z.strictObject({ inner: z.object({ a: z.string() }).passthrough() }))).toThrow(/not strict at \$\.properties\.inner/);
  });
});
