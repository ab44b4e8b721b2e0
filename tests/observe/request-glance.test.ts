// The listing's shortcut to a request's kind and issue line must say what the full parser says,
// and hand every text it is unsure of to that parser.
import { describe, expect, it } from "vitest";
import { glanceAtRequest, quickGlance } from "../../src/observe/request-glance.js";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";

const firstLine = (text: string) => text.split("\n").find((l) => l.trim())!.trim();

const TEXTS: Record<string, string> = {
  "written by delegate": renderRequest({ kind: "patch", issue: "add() subtracts\nsecond line", files: ["src/math.js"], requestedBy: "claude-code", createdAt: new Date("2026-12-01T00:00:00Z") }),
  "one-line issue in the front matter": "---\nkind: diagnose\nissue: 500 error on /runs/start\n---\n## Issue\nsomething longer\n",
  "only an Issue section": "## Issue\n\n  Timeouts under load  \nmore\n## Context\nx\n",
  "quoted issue": '---\nissue: "a: quoted # value"\n---\n',
  "folded issue": "---\nissue: >\n  folded\n  text\n---\n",
  "null issue falls back to the section": "---\nissue: null\n---\n## Issue\nfrom the section\n",
  "comment after the issue": "---\nissue: real issue # not part of it\n---\n",
  "an alias heading": "## Problem\nthe build is red\n",
  "a preamble only": "The tests hang on CI.\n",
  "CRLF": "---\r\nissue: windows\r\n---\r\n",
  "unknown kind": "---\nkind: essay\nissue: x\n---\n",
  "no issue at all": "---\nkind: analysis\n---\n## Context\nnothing asked\n",
  "a fence right after the heading": "## Issue\n```\nstack trace\n```\n",
};

describe("glanceAtRequest", () => {
  for (const [what, text] of Object.entries(TEXTS)) {
    it(`agrees with the parser: ${what}`, async () => {
      const parsed = parseRequest(text);
      const expected = parsed.ok ? { kind: parsed.request.kind, issue: firstLine(parsed.request.issue) } : undefined;
      expect(await glanceAtRequest(text)).toEqual(expected);
    });
  }

  it("reads the plain shapes itself and leaves the rest to the parser", () => {
    expect(quickGlance(TEXTS["written by delegate"]!)).toEqual({ kind: "patch", issue: "add() subtracts" });
    expect(quickGlance(TEXTS["one-line issue in the front matter"]!)).toEqual({ kind: "diagnose", issue: "500 error on /runs/start" });
    for (const what of ["quoted issue", "folded issue", "null issue falls back to the section", "comment after the issue", "an alias heading", "CRLF", "unknown kind"]) {
      expect(quickGlance(TEXTS[what]!), what).toBeUndefined();
    }
  });
});
