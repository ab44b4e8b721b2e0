import { describe, expect, test } from "vitest";
import { NO_ISSUE_REASON, parseRequest, type ParseOutcome } from "../../src/protocol/parse-request.js";
import type { DelegationRequest } from "../../src/protocol/request.js";

function parsed(text: string): DelegationRequest {
  const outcome = parseRequest(text);
  if (!outcome.ok) throw new Error(`expected the request to parse, got: ${outcome.reason}`);
  return outcome.request;
}

function reason(outcome: ParseOutcome): string {
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.request)}`);
  return outcome.reason;
}

// PROTOCOL.md §2's example, with the placeholders filled in the way the seed's delegate script would.
const PROTOCOL_EXAMPLE = `---
kind: analysis            # analysis (default) | diagnose | patch | micro
issue: 500 error on /runs/start with no traceback
files: [src/autopack/main.py, src/autopack/schemas.py]
model: gpt-5-codex        # optional override of the configured model
requested_by: claude-code # free text: who asked
---
## Issue
500 Internal Server Error on /runs/start endpoint

## Context
Server starts successfully. Health check passes. Fixed slowapi Request import (was NameError).

## Error Logs
\`\`\`
Internal Server Error (status code 500)
\`\`\`

## Attempted Fixes        (a list)
- Added 'from fastapi import Request'
- Separated request_data from request parameter

## Files                  (the daemon embeds file contents here: one ### <path> and a fenced block each)
- src/autopack/models.py

## Questions              (a list; optional)
1. Why is there no traceback?
2. Is the slowapi decorator order wrong?
`;

describe("parseRequest", () => {
  test("reads the protocol's example request, front matter winning over the sections", () => {
    const request = parsed(PROTOCOL_EXAMPLE);
    expect(request).toMatchObject({
      kind: "analysis",
      issue: "500 error on /runs/start with no traceback",
      context: "Server starts successfully. Health check passes. Fixed slowapi Request import (was NameError).",
      errorLogs: "Internal Server Error (status code 500)",
      attemptedFixes: ["Added 'from fastapi import Request'", "Separated request_data from request parameter"],
      files: ["src/autopack/main.py", "src/autopack/schemas.py"],
      questions: ["Why is there no traceback?", "Is the slowapi decorator order wrong?"],
      model: "gpt-5-codex",
      requestedBy: "claude-code",
      extraSections: [],
    });
    expect(request.frontMatter).toEqual({
      kind: "analysis",
      issue: "500 error on /runs/start with no traceback",
      files: ["src/autopack/main.py", "src/autopack/schemas.py"],
      model: "gpt-5-codex",
      requested_by: "claude-code",
    });
  });

  test("a hand-written file with nothing but an `## Issue` section is valid", () => {
    const request = parsed("## Issue\n\nThe nightly build hangs after `npm test`.\n");
    expect(request).toEqual({
      kind: "analysis",
      issue: "The nightly build hangs after `npm test`.",
      context: "",
      errorLogs: "",
      attemptedFixes: [],
      files: [],
      questions: [],
      extraSections: [],
      frontMatter: {},
    });
  });

  test("headings match case-insensitively and tolerantly", () => {
    const request = parsed(
      [
        "## ISSUE",
        "it breaks",
        "## error logs",
        "first log",
        "## Logs:",
        "second log",
        "## attempted fixes (a list)",
        "- restarted",
        "## **Questions**",
        "* why?",
        "## files ##",
        "- `a.ts`",
      ].join("\n"),
    );
    expect(request.issue).toBe("it breaks");
    expect(request.errorLogs).toBe("first log\n\nsecond log");
    expect(request.attemptedFixes).toEqual(["restarted"]);
    expect(request.questions).toEqual(["why?"]);
    expect(request.files).toEqual(["a.ts"]);
    expect(request.extraSections).toEqual([]);
  });

  test("front matter wins over a section giving the same field", () => {
    const request = parsed(
      [
        "---",
        "issue: from the front matter",
        "context: fm context",
        "attempted_fixes: [fm fix]",
        "questions: only one question",
        "---",
        "## Issue",
        "from the section",
        "## Context",
        "section context",
        "## Attempted Fixes",
        "- section fix",
        "## Questions",
        "- section question",
        "## Error Logs",
        "section logs",
      ].join("\n"),
    );
    expect(request.issue).toBe("from the front matter");
    expect(request.context).toBe("fm context");
    expect(request.attemptedFixes).toEqual(["fm fix"]);
    expect(request.questions).toEqual(["only one question"]);
    expect(request.errorLogs).toBe("section logs");
  });

  test("files may be a comma-separated string, as the seed script's --files", () => {
    const request = parsed("---\nfiles: src/a.py, src/b.py,,  src/c.py \n---\n## Issue\nx\n");
    expect(request.files).toEqual(["src/a.py", "src/b.py", "src/c.py"]);
  });

  test("an invalid model value is rejected with a reason naming the key and the value", () => {
    const why = reason(parseRequest("---\nmodel: gpt-5 --dangerously-bypass-approvals\n---\n## Issue\nx\n"));
    expect(why).toContain("`model`");
    expect(why).toContain('"gpt-5 --dangerously-bypass-approvals"');
    expect(parsed("---\nmodel: openai/gpt-5.1-codex:latest\n---\n## Issue\nx\n").model).toBe("openai/gpt-5.1-codex:latest");
  });

  test("kind is case-insensitive; an unknown kind is rejected", () => {
    expect(parsed("---\nkind: Patch\n---\n## Issue\nx\n").kind).toBe("patch");
    expect(reason(parseRequest("---\nkind: refactor\n---\n## Issue\nx\n"))).toBe(
      'front matter: `kind` expected one of analysis, diagnose, patch, micro, plan, plan-run, got "refactor"',
    );
  });

  test("malformed YAML gives the YAML error and the file's line", () => {
    const why = reason(parseRequest("---\nkind: analysis\nfiles: [a.py, b.py\nmodel: x\n---\n## Issue\nx\n"));
    expect(why).toMatch(/^front matter is not valid YAML: .+ at line \d+$/);
    expect(reason(parseRequest("---\nissue: a\n\nissue: b\n---\n"))).toBe(
      "front matter is not valid YAML: duplicated mapping key at line 4",
    );
  });

  test("front matter that is not closed, not a mapping, or not YAML is rejected", () => {
    expect(reason(parseRequest("---\nissue: x\n## Issue\nx\n"))).toBe("front matter is not closed: add a `---` line after it");
    expect(reason(parseRequest("---\n- a\n- b\n---\n## Issue\nx\n"))).toBe("front matter must be YAML `key: value` lines");
    const globals = globalThis as { relayPwned?: boolean };
    const why = reason(parseRequest("---js\n(globalThis.relayPwned = true, { issue: 'x' })\n---\n## Issue\nx\n"));
    expect(why).toContain("front matter language `js` is not supported");
    expect(globals.relayPwned).toBeUndefined();
  });

  test("YAML aliases that expand into a huge structure are rejected", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    const why = reason(parseRequest(`---\n${levels.join("\n")}\n---\n## Issue\nx\n`));
    expect(why).toContain("front matter is too large or too deeply nested");
  });

  test("an empty or blank file is not a request", () => {
    expect(reason(parseRequest(""))).toBe("request is empty");
    expect(reason(parseRequest(" \n\t\r\n"))).toBe("request is empty");
    expect(reason(parseRequest("---\nkind: patch\n---\n"))).toBe(NO_ISSUE_REASON);
    expect(reason(parseRequest("# Just a title\n\n## Context\nsome context\n"))).toBe(NO_ISSUE_REASON);
  });

  test("binary content is rejected with a clear reason", () => {
    const png = "\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR";
    expect(reason(parseRequest(png))).toBe("request is binary (it contains NUL bytes), not Markdown text");
  });

  test("a 5 MB request parses", () => {
    const logLine = "2025-11-28 14:30:22 ERROR app.py:42 [worker_1] *boom* `x` <tag> &amp; ## not a heading\n";
    const logs = logLine.repeat(Math.ceil(2_500_000 / logLine.length));
    const prose = "The request_data *param* is [sometimes] `null` when the_worker restarts:\n";
    const issue = prose.repeat(Math.ceil(2_500_000 / prose.length));
    const text = `---\nkind: diagnose\n---\n## Issue\n${issue}\n## Error Logs\n\`\`\`\n${logs}\`\`\`\n## Questions\n- why?\n`;
    expect(text.length).toBeGreaterThan(5_000_000);
    const request = parsed(text);
    expect(request.kind).toBe("diagnose");
    expect(request.issue).toBe(issue.trimEnd());
    expect(request.errorLogs).toBe(logs.trimEnd());
    expect(request.questions).toEqual(["why?"]);
  });

  test("unknown sections are kept, in order, with their Markdown", () => {
    const request = parsed(
      "## Environment\nNode 20, **Linux**\n\n## Issue\nx\n## Notes for Codex\n### detail\n- keep `this`\n",
    );
    expect(request.extraSections).toEqual([
      { title: "Environment", body: "Node 20, **Linux**" },
      { title: "Notes for Codex", body: "### detail\n- keep `this`" },
    ]);
  });

  test("text before the first `##` is the issue when nothing else gives one; a `# Title` is not", () => {
    expect(parsed("# Delegation\n\nThe cache never expires.\n\n## Context\nRedis 7\n").issue).toBe(
      "The cache never expires.",
    );
    const request = parsed("Some preface.\n\n## Issue\nthe real issue\n");
    expect(request.issue).toBe("the real issue");
    expect(request.extraSections).toEqual([{ title: "Preamble", body: "Some preface." }]);
  });

  test("headings inside fenced code do not start sections", () => {
    const request = parsed("## Issue\nx\n## Context\n````md\n## Issue\nnot this\n```\n## Files\n````\nafter\n");
    expect(request.issue).toBe("x");
    expect(request.context).toBe("````md\n## Issue\nnot this\n```\n## Files\n````\nafter");
    expect(request.files).toEqual([]);
  });

  test("`## Files` keeps list items and lines, and the `### path` names of a previous embed without their contents", () => {
    expect(parsed("## Issue\nx\n## Files\n- `src/a.ts`\n* src/b.ts\nsrc/c.ts\n").files).toEqual([
      "src/a.ts",
      "src/b.ts",
      "src/c.ts",
    ]);
    const embedded = parsed(
      "## Issue\nx\n## Files\n### src/a.ts\n```ts\nexport const a = 1;\n## not a file\n```\n### `src/b.py`\nFile not found.\n",
    );
    expect(embedded.files).toEqual(["src/a.ts", "src/b.py"]);
  });

  test("list sections fall back to non-empty lines when they are not lists", () => {
    const request = parsed("## Issue\nx\n## Attempted Fixes\nrestarted the server\n\n  cleared the cache  \n");
    expect(request.attemptedFixes).toEqual(["restarted the server", "cleared the cache"]);
  });

  test("list items keep their Markdown, multi-line items included", () => {
    const request = parsed("## Issue\nx\n## Attempted Fixes\n- renamed `request`\n  to `request_data`\n- 1. nested\n  2. list\n");
    expect(request.attemptedFixes).toEqual(["renamed `request`\nto `request_data`", "1. nested\n2. list"]);
  });

  test("CRLF files parse like LF files", () => {
    const request = parsed("---\r\nkind: micro\r\n---\r\n## Issue\r\nline one\r\nline two\r\n## Files\r\n- a.ts\r\n");
    expect(request).toMatchObject({ kind: "micro", issue: "line one\nline two", files: ["a.ts"] });
  });

  test("parsing the same text twice gives independent results", () => {
    const text = "---\nissue: x\ntranscript: { path: /tmp/t.jsonl }\n---\n";
    const first = parsed(text);
    (first.frontMatter.transcript as { path: string }).path = "changed";
    expect(parsed(text).frontMatter.transcript).toEqual({ path: "/tmp/t.jsonl" });
  });

  test("front-matter dates become ISO strings so the request stays JSON-safe", () => {
    const request = parsed("---\nissue: x\ncreated_at: 2025-11-28T14:30:22Z\n---\n");
    expect(request.frontMatter.created_at).toBe("2025-11-28T14:30:22.000Z");
  });
});
