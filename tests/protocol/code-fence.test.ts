import { describe, expect, test } from "vitest";
import { fenceFor } from "../../src/protocol/code-fence.js";
import { fencedBlocks } from "../../src/protocol/markdown-outline.js";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import { inlineCode } from "../../src/report/report-text.js";

describe("fenceFor", () => {
  test("a fence is at least three backticks and longer than any run inside", () => {
    expect(fenceFor("plain")).toBe("```");
    expect(fenceFor("a ``` b `````` c")).toBe("```````");
    expect(fenceFor("one ` tick", 1)).toBe("``");
    expect(fenceFor("none", 1)).toBe("`");
  });

  test("what a fence wraps reads back whole, in a request and in a report", () => {
    const logs = "before\n```\n````md\n# inside\n````\nafter";
    const request = parseRequest(renderRequest({ issue: "x", errorLogs: logs, createdAt: new Date("2026-01-05T10:55:00Z") }));
    expect(request.ok && request.request.errorLogs).toBe(logs);
    const fence = fenceFor(logs);
    expect(fencedBlocks(`${fence}\n${logs}\n${fence}\n`)).toEqual([logs]);
    expect(inlineCode("a `b` c")).toBe("``a `b` c``");
    expect(inlineCode("`edge`")).toBe("`` `edge` ``");
  });
});
