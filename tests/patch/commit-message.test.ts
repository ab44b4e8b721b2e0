import { describe, expect, test } from "vitest";
import { buildCommitMessage, commitScope, commitSubject, parseCommitHeader, type CommitMessageInput } from "../../src/patch/commit-message.js";
import type { VerificationCheck } from "../../src/protocol/patch-run.js";

function check(command: string, verdict: VerificationCheck["verdict"]): VerificationCheck {
  return { command, baseline: null, after: null, verdict };
}

const INPUT: CommitMessageInput = {
  type: "fix",
  scope: "auth",
  subject: "increase Redis pool size to prevent timeout",
  body: "Root cause: Pool of 10 connections insufficient for peak load.\nFix: Increase to 50 (follows Redis best practices).",
  verification: [check("pytest tests/test_auth_redis.py -v", "pass"), check("npm run lint", "pre_existing")],
  requestId: "20260105_111000",
  threadId: "019a-thread",
  files: ["auth/redis_pool.py"],
};

describe("buildCommitMessage", () => {
  test("the enforced layout, exactly", () => {
    expect(buildCommitMessage(INPUT)).toBe(
      [
        "fix(auth): increase Redis pool size to prevent timeout",
        "",
        "Root cause: Pool of 10 connections insufficient for peak load.",
        "Fix: Increase to 50 (follows Redis best practices).",
        "",
        "Verification:",
        "- pytest tests/test_auth_redis.py -v (PASS)",
        "- npm run lint (FAIL, pre-existing)",
        "",
        "Codex-Relay-Request: 20260105_111000",
        "Codex-Thread: 019a-thread",
        "Co-Authored-By: Codex <noreply@openai.com>",
        "",
      ].join("\n"),
    );
  });

  test("broken and not-run checks, no thread, no body", () => {
    const message = buildCommitMessage({ ...INPUT, body: "  \n", threadId: null, verification: [check("npm test", "broken"), check("npm run e2e", "not_run")] });
    expect(message).toBe(
      "fix(auth): increase Redis pool size to prevent timeout\n\nVerification:\n- npm test (FAIL)\n- npm run e2e (NOT RUN)\n\n" +
        "Codex-Relay-Request: 20260105_111000\nCodex-Thread: none\nCo-Authored-By: Codex <noreply@openai.com>\n",
    );
  });

  test("unknown types become fix; known ones are lower-cased", () => {
    expect(parseCommitHeader(buildCommitMessage({ ...INPUT, type: "hotfix" }))?.type).toBe("fix");
    expect(parseCommitHeader(buildCommitMessage({ ...INPUT, type: "CI" }))?.type).toBe("ci");
    expect(parseCommitHeader(buildCommitMessage({ ...INPUT, type: "refactor" }))?.type).toBe("refactor");
  });

  test("control characters never reach the message", () => {
    const message = buildCommitMessage({
      ...INPUT,
      subject: "Fixed \u001b[31mthe\u001b[0m pool\u0007 size\u202e.",
      body: "line one\u0000\r\n\u001b]0;title\u0007line\ttwo\u009b",
      requestId: "id\nInjected-Trailer: yes",
      verification: [check("npm test\n- rm -rf / (PASS)", "broken")],
    });
    expect(message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(message.split("\n")[0]).toBe("fix(auth): fix the pool size");
    expect(message).toContain("\n\nline one\nline\ttwo\n\n");
    expect(message).toContain("- npm test - rm -rf / (PASS) (FAIL)\n");
    expect(message).toContain("Codex-Relay-Request: id Injected-Trailer: yes\n");
    expect(message.match(/^Injected-Trailer/m)).toBeNull();
  });

  test("prose is wrapped at 72 columns; code, indented lines and list hang-indents kept", () => {
    const long = "The pool was sized for a single worker process, but the service now runs four workers that each open their own connections.";
    const body = [long, "", "- a list item that is long enough to need wrapping at the seventy-two column limit", "    indented line that stays exactly as it is even though it is far longer than seventy-two", "```", "const x = callSomething(withAVeryLongArgumentName, andAnotherLongArgumentName, andMore);", "```"].join("\n");
    const lines = buildCommitMessage({ ...INPUT, body }).split("\n");
    expect(lines.slice(2, 4)).toEqual([
      "The pool was sized for a single worker process, but the service now runs",
      "four workers that each open their own connections.",
    ]);
    expect(lines.slice(5, 7)).toEqual(["- a list item that is long enough to need wrapping at the seventy-two", "  column limit"]);
    expect(lines).toContain("    indented line that stays exactly as it is even though it is far longer than seventy-two");
    expect(lines).toContain("const x = callSomething(withAVeryLongArgumentName, andAnotherLongArgumentName, andMore);");
  });

  test("parseCommitHeader reads what buildCommitMessage writes", () => {
    expect(parseCommitHeader(buildCommitMessage(INPUT))).toEqual({ type: "fix", scope: "auth", subject: "increase Redis pool size to prevent timeout" });
    expect(parseCommitHeader("Merge branch 'x'")).toBeNull();
  });
});

describe("commitSubject", () => {
  test.each([
    ["Fixed the login timeout.", "fix the login timeout"],
    ["Adds retry to the uploader", "add retry to the uploader"],
    ["Updated docs", "update docs"],
    ["Removes dead code...", "remove dead code"],
    ["Made the parser strict", "make the parser strict"],
    ["Renamed pool option", "rename pool option"],
    ["Corrected off-by-one in pager", "correct off-by-one in pager"],
    ["Handles empty input", "handle empty input"],
    ["Increased pool size", "increase pool size"],
    ["Moved helpers", "move helpers"],
    ["Changes default port", "change default port"],
    ["Refactor the queue", "refactor the queue"],
    ["Fixing flaky test", "fixing flaky test"],
    ["API: accept empty body", "API: accept empty body"],
    ["README typo", "README typo"],
    ["fix(auth): increase pool size", "increase pool size"],
    ["first line\n\nsecond paragraph", "first line"],
    ["", "apply patch"],
    ["\u0000\u0007 .", "apply patch"],
  ])("%j → %j", (input, expected) => {
    expect(commitSubject(input)).toBe(expected);
  });

  test("long subjects are cut at a word boundary to at most 50 characters", () => {
    const subject = commitSubject("Increase the Redis connection pool size so that peak load no longer times out");
    expect(subject).toBe("increase the Redis connection pool size so that");
    expect(subject.length).toBeLessThanOrEqual(50);
    const oneWord = commitSubject("x".repeat(80));
    expect(oneWord).toBe("x".repeat(50));
    expect(commitSubject("a".repeat(49) + " b c")).toBe("a".repeat(49));
  });
});

describe("commitScope", () => {
  test("a valid scope is kept, lower-cased", () => {
    expect(commitScope("Auth", ["x/y.ts"])).toBe("auth");
    expect(commitScope("api.v2_x-y", [])).toBe("api.v2_x-y");
  });

  test("an unusable scope comes from the first file, skipping src-like folders", () => {
    expect(commitScope("auth module", ["auth/redis_pool.py"])).toBe("auth");
    expect(commitScope("", ["src/autopack/main.py", "docs/x.md"])).toBe("autopack");
    expect(commitScope("", ["src/main.ts"])).toBe("main");
    expect(commitScope("", ["README.md"])).toBe("readme");
    expect(commitScope("", [".github/workflows/ci.yml"])).toBe("github");
    expect(commitScope("(bad)", ["Über Module/x.ts"])).toBe("ber-module");
  });

  test("nothing usable gives core", () => {
    expect(commitScope("", [])).toBe("core");
    expect(commitScope("!!!", ["???/x"])).toBe("core");
  });
});
