import { describe, expect, test } from "vitest";
import { RelayError } from "../../src/errors.js";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { renderRequest, type RenderRequestFields } from "../../src/protocol/render-request.js";
import type { DelegationRequest } from "../../src/protocol/request.js";

const createdAt = new Date("2025-11-28T14:30:22Z");

function roundTrip(fields: RenderRequestFields): DelegationRequest {
  const outcome = parseRequest(renderRequest(fields));
  if (!outcome.ok) throw new Error(`rendered request does not parse: ${outcome.reason}`);
  return outcome.request;
}

function expectSameFields(fields: RenderRequestFields): void {
  const request = roundTrip(fields);
  expect({
    kind: request.kind,
    issue: request.issue,
    context: request.context,
    errorLogs: request.errorLogs,
    attemptedFixes: request.attemptedFixes,
    files: request.files,
    questions: request.questions,
    model: request.model,
    requestedBy: request.requestedBy,
    extraSections: request.extraSections,
  }).toEqual({
    kind: fields.kind ?? "analysis",
    issue: fields.issue,
    context: fields.context ?? "",
    errorLogs: fields.errorLogs ?? "",
    attemptedFixes: fields.attemptedFixes ?? [],
    files: fields.files ?? [],
    questions: fields.questions ?? [],
    model: fields.model,
    requestedBy: fields.requestedBy,
    extraSections: [],
  });
  for (const [key, value] of Object.entries(fields.extra ?? {})) expect(request.frontMatter[key]).toBe(value);
}

describe("renderRequest", () => {
  test("writes front matter and the protocol's sections, readable by people", () => {
    const text = renderRequest({
      kind: "diagnose",
      issue: "500 Internal Server Error on /runs/start endpoint",
      context: "Health check passes.",
      errorLogs: "Internal Server Error\n```py\nraise\n```",
      attemptedFixes: ["Added 'from fastapi import Request'", "Renamed request param to request_data"],
      files: ["src/autopack/main.py", "src/autopack/schemas.py"],
      questions: ["Why no traceback?"],
      model: "gpt-5-codex",
      requestedBy: "claude-code",
      extra: { transcript: "/home/u/.claude/projects/p/session.jsonl" },
      createdAt,
    });
    expect(text).toBe(`---
kind: diagnose
model: gpt-5-codex
requested_by: claude-code
created_at: "2025-11-28T14:30:22.000Z"
transcript: /home/u/.claude/projects/p/session.jsonl
---

# Codex Delegation Request

## Issue

500 Internal Server Error on /runs/start endpoint

## Context

Health check passes.

## Error Logs

\`\`\`\`
Internal Server Error
\`\`\`py
raise
\`\`\`
\`\`\`\`

## Attempted Fixes

- Added 'from fastapi import Request'
- Renamed request param to request_data

## Files

- \`src/autopack/main.py\`
- \`src/autopack/schemas.py\`

## Questions

- Why no traceback?
`);
  });

  test("leaves out sections it has nothing for", () => {
    const text = renderRequest({ issue: "just this", createdAt });
    expect(text).toContain("## Issue\n\njust this\n");
    expect(text).not.toMatch(/## (Context|Error Logs|Attempted Fixes|Files|Questions)/);
    expect(text).not.toContain("issue:");
  });

  test("round-trips plain fields", () => {
    expectSameFields({
      kind: "patch",
      issue: "Memory leak in Builder execution",
      context: "Seen after 1000 requests.\n\nTwo paragraphs.",
      errorLogs: "MemoryError",
      attemptedFixes: ["Added explicit garbage collection", "Closed database sessions"],
      files: ["src/autopack/builder.py"],
      questions: ["Where is the reference kept?"],
      model: "o3",
      requestedBy: "cursor",
      extra: { transcript: "/tmp/t.jsonl" },
      createdAt,
    });
  });

  const TRICKY: [string, RenderRequestFields][] = [
    ["colons and quotes", { issue: `key: value: "quoted" 'single' # not a comment`, context: "a: b\n- c: d", createdAt }],
    ["`---` lines", { issue: "before\n---\nafter\n---", context: "---\nkind: patch\n---", createdAt }],
    ["setext-looking lines", { issue: "Title\n===\nSub\n---", createdAt }],
    ["backticks", { issue: "run `npm test` then ```js fence", errorLogs: "````\n```\n`", createdAt }],
    ["unclosed fence", { issue: "```\nnever closed", context: "after the fence", createdAt }],
    ["leading #", { issue: "# not a title\n## not a section\n### deeper", context: "#hashtag", createdAt }],
    ["a `## Issue` line in the context", { issue: "x", context: "## Issue\nspoofed", createdAt }],
    ["unicode", { issue: "Ünïcödé — 中文 — עברית — 🚀 — \u200b zero width", questions: ["¿por qué? 🤔"], createdAt }],
    ["indentation", { issue: "    indented code first\n\tand a tab", context: "  two spaces", createdAt }],
    ["yaml-looking values", { issue: "null", context: "true", errorLogs: "0x10", questions: ["- a", "[b, c]", "{d: e}"], createdAt }],
    ["html", { issue: "<!-- comment\n## inside\n-->", context: "<div>\n\n## Issue\n</div>", createdAt }],
    [
      "list items with structure",
      {
        issue: "x",
        attemptedFixes: ["multi\nline", "with\n\nblank line", "# hash", "1. numbered", "- dash", "```\ncode\n```", "  indented"],
        questions: ["ends with ##", "* star"],
        createdAt,
      },
    ],
    [
      "file paths",
      { issue: "x", files: ["src/__init__.py", "dir with space/a b.ts", "odd`tick.ts", "comma,name.ts", "ünï/cöde.py", "#hash.md"], createdAt },
    ],
    ["CR characters", { issue: "windows\r\nline", errorLogs: "a\rb", createdAt }],
    ["trailing spaces inside", { issue: "hard  \nbreak", context: "a \n  \nb", createdAt }],
  ];

  test.each(TRICKY)("round-trips tricky text: %s", (_name, fields) => {
    expectSameFields(fields);
  });

  test("round-trips randomly assembled tricky text (seeded)", () => {
    const pieces = [
      "a", "word", " ", "  ", "\t", "\n", "\n\n", ": ", "'", '"', "#", "## ", "# ", "---", "===", "`", "```", "~~~", "- ",
      "* ", "1. ", "> ", "<!--", "-->", "<div>", "\\", "[x]", "(y)", "|", "{", "}", "&amp;", "é", "中", "🚀", "null", "%",
      "@", "!", "*", "_", "\r\n",
    ];
    let seed = 20251128;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const text = (max: number) => {
      let out = "";
      for (let i = random(max) + 1; i > 0; i--) out += pieces[random(pieces.length)];
      return out;
    };
    // Expected values are the normalized inputs: leading blank lines and trailing whitespace are not kept.
    const clean = (value: string) => value.replace(/\r\n?/g, "\n").trimEnd().replace(/^(?:[ \t]*\n)+/, "");
    for (let i = 0; i < 200; i++) {
      const issue = clean(text(30)) || "fallback issue";
      const fields: RenderRequestFields = {
        issue,
        context: clean(text(20)),
        errorLogs: clean(text(20)),
        attemptedFixes: [text(8), text(8)].map(clean).filter(Boolean),
        questions: [text(8)].map(clean).filter(Boolean),
        createdAt,
      };
      const request = roundTrip(fields);
      expect([request.issue, request.context, request.errorLogs, request.attemptedFixes, request.questions]).toEqual([
        fields.issue,
        fields.context,
        fields.errorLogs,
        fields.attemptedFixes,
        fields.questions,
      ]);
      expect(request.extraSections).toEqual([]);
    }
  });

  test("text that Markdown cannot carry also goes to the front matter, and the section shows it fenced", () => {
    const text = renderRequest({ issue: "x", context: "line\n## Questions\n- injected?", createdAt });
    expect(text).toContain('context: "line\\n## Questions\\n- injected?"\n');
    expect(text).toContain("## Context\n\n```\nline\n## Questions\n- injected?\n```\n");
    expect(roundTrip({ issue: "x", context: "line\n## Questions\n- injected?", createdAt }).questions).toEqual([]);
  });

  test("rejects what would make a bad request, with a RelayError the CLI can show", () => {
    const attempts: [Partial<RenderRequestFields>, RegExp][] = [
      [{ issue: "  \n " }, /the issue is empty/],
      [{ model: "gpt-5 --yolo" }, /model must be 1–100 letters/],
      [{ extra: { kind: "patch" } }, /extra front-matter key "kind" is not allowed/],
      [{ extra: { "bad key": "x" } }, /extra front-matter key "bad key" is not allowed/],
      [{ createdAt: new Date(Number.NaN) }, /createdAt is not a valid date/],
    ];
    for (const [override, message] of attempts) {
      const attempt = () => renderRequest({ issue: "x", createdAt, ...override });
      expect(attempt).toThrow(RelayError);
      expect(attempt).toThrow(message);
      try {
        attempt();
      } catch (error) {
        expect((error as RelayError).code).toBe("invalid_request");
      }
    }
  });
});
