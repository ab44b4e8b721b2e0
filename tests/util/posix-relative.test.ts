import path from "node:path";
import { describe, expect, it } from "vitest";
import { posixRelative } from "../../src/util/posix-relative.js";

describe("posixRelative", () => {
  const ws = path.resolve("/work/shop");

  it("names a workspace file with / separators", () => {
    expect(posixRelative(ws, path.join(ws, "progress", "ledger.jsonl"))).toBe("progress/ledger.jsonl");
    expect(posixRelative(ws, path.join(ws, "out"))).toBe("out");
    expect(posixRelative(ws, ws)).toBe("");
  });

  it("keeps the .. of a file outside, for callers that check escapes", () => {
    expect(posixRelative(ws, path.resolve("/work/other/x.md"))).toBe("../other/x.md");
    expect(posixRelative(path.join(ws, "a", "b"), path.join(ws, "c"))).toBe("../../c");
  });
});
