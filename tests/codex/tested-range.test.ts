import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareVersions, outsideTestedRange, TESTED_CODEX } from "../../src/codex/tested-range.js";

describe("the tested Codex range", () => {
  it("compares versions by number, not as text, and ignores a pre-release tail", () => {
    expect(compareVersions("0.171.0", "0.99.9")).toBe(1);
    expect(compareVersions("0.169.0", "0.169")).toBe(0);
    expect(compareVersions("0.170.0-alpha.3", "0.170.0")).toBe(0);
    expect(compareVersions("1.0.0", "0.999.0")).toBe(1);
  });

  it("passes its two ends and says which way a version is out, naming the range", () => {
    expect(outsideTestedRange(TESTED_CODEX.low)).toBeNull();
    expect(outsideTestedRange(TESTED_CODEX.high)).toBeNull();
    expect(outsideTestedRange("0.150.2")).toBe(`0.150.2 is older than the tested range ${TESTED_CODEX.low}–${TESTED_CODEX.high}`);
    expect(outsideTestedRange("0.200.0")).toMatch(/^0\.200\.0 is newer than the tested range/);
    expect(outsideTestedRange("dev")).toMatch(/not one codex-relay can compare/);
  });

  it("ends at the Codex this repository pins and tests with", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies["@openai/codex"]).toBe(TESTED_CODEX.high);
  });
});
