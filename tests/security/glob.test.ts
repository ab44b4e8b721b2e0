import { describe, expect, test } from "vitest";
import { globToRegExp, globWalkPlan, isGlob } from "../../src/security/glob.js";

const matches = (pattern: string, path: string, dot = false): boolean => globToRegExp(pattern, { dot }).test(path);

describe("globToRegExp", () => {
  test("* and ? stay within one segment", () => {
    expect(matches("src/*.ts", "src/a.ts")).toBe(true);
    expect(matches("src/*.ts", "src/sub/a.ts")).toBe(false);
    expect(matches("src/?.ts", "src/a.ts")).toBe(true);
    expect(matches("src/?.ts", "src/ab.ts")).toBe(false);
  });

  test("** spans zero or more folders", () => {
    expect(matches("src/**/*.ts", "src/a.ts")).toBe(true);
    expect(matches("src/**/*.ts", "src/x/y/a.ts")).toBe(true);
    expect(matches("src/**/*.ts", "lib/a.ts")).toBe(false);
    expect(matches("**/*.py", "alembic/versions/001_init.py")).toBe(true);
    expect(matches("docs/**", "docs/a/b.md")).toBe(true);
    expect(matches("docs/**", "docsx/a.md")).toBe(false);
  });

  test("regex characters and brackets are literal", () => {
    expect(matches("app/[id]/*.tsx", "app/[id]/page.tsx")).toBe(true);
    expect(matches("app/[id]/*.tsx", "app/i/page.tsx")).toBe(false);
    expect(matches("a+b.(x)", "a+b.(x)")).toBe(true);
  });

  test("wildcards skip dot names unless dot is set", () => {
    expect(matches("*", ".env")).toBe(false);
    expect(matches("*", ".env", true)).toBe(true);
    expect(matches("**/*.ts", ".hidden/a.ts")).toBe(false);
    expect(matches(".github/*.yml", ".github/ci.yml")).toBe(true);
  });
});

test("isGlob and globWalkPlan", () => {
  expect(isGlob("src/a.ts")).toBe(false);
  expect(isGlob("src/*.ts")).toBe(true);
  expect(globWalkPlan("alembic/versions/*.py")).toEqual({ base: "alembic/versions", depth: 1 });
  expect(globWalkPlan("src/*/x/*.ts")).toEqual({ base: "src", depth: 3 });
  expect(globWalkPlan("src/**/*.ts")).toEqual({ base: "src", depth: Number.POSITIVE_INFINITY });
  expect(globWalkPlan("*.md")).toEqual({ base: "", depth: 1 });
});
