import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { detectQualityGates, summarizeGate } from "../../src/patch/quality-gates.js";
import { runCommand, verificationEnv } from "../../src/patch/run-command.js";
import type { CommandRun } from "../../src/protocol/patch-run.js";
import { runVerification } from "../../src/patch/verification.js";
import { testdir } from "../helpers/testdir.js";

let dir: string;
beforeEach(async () => {
  dir = await testdir({}, { prefix: "relay-gates-" });
});

const writePackage = (scripts: Record<string, unknown>) => writeFile(path.join(dir, "package.json"), JSON.stringify({ name: "demo", version: "1.0.0", scripts }));
const options = () => ({ cwd: dir, env: verificationEnv(process.env, []), timeoutMs: 60_000 });

describe("detectQualityGates", () => {
  test("test, lint and typecheck scripts of package.json, in that order", async () => {
    await writePackage({ typecheck: "tsc --noEmit", lint: "eslint .", test: "vitest run", build: "tsc" });
    expect(await detectQualityGates(dir, [])).toEqual([
      { name: "tests", command: "npm test" },
      { name: "lint", command: "npm run lint" },
      { name: "typecheck", command: "npm run typecheck" },
    ]);
  });

  test("type-check or tsc scripts count as the typecheck gate, under their own name", async () => {
    await writePackage({ "type-check": "tsc --noEmit" });
    expect(await detectQualityGates(dir, [])).toEqual([{ name: "typecheck", command: "npm run type-check" }]);
    await writePackage({ tsc: "tsc --noEmit" });
    expect(await detectQualityGates(dir, [])).toEqual([{ name: "typecheck", command: "npm run tsc" }]);
  });

  test("npm's placeholder test script is not a gate", async () => {
    await writePackage({ test: 'echo "Error: no test specified" && exit 1', lint: "eslint ." });
    expect(await detectQualityGates(dir, [])).toEqual([{ name: "lint", command: "npm run lint" }]);
  });

  test("configured lines win over package.json", async () => {
    await writePackage({ test: "vitest run" });
    expect(await detectQualityGates(dir, ["pytest -q", "ruff check ."])).toEqual([
      { name: "pytest -q", command: "pytest -q" },
      { name: "ruff check .", command: "ruff check ." },
    ]);
  });

  test("no package.json, a broken one, or no scripts: no gates", async () => {
    expect(await detectQualityGates(dir, [])).toEqual([]);
    await writeFile(path.join(dir, "package.json"), "{ not json");
    expect(await detectQualityGates(dir, [])).toEqual([]);
    await writePackage({ test: "", lint: 42 });
    expect(await detectQualityGates(dir, [])).toEqual([]);
  });

  test("a detected gate runs for real through npm and its counts are read", async () => {
    await writeFile(
      path.join(dir, "math.test.mjs"),
      `import test from "node:test";\nimport assert from "node:assert";\n` +
        `test("adds", () => assert.equal(1 + 1, 2));\ntest("subtracts", () => assert.equal(2 - 1, 1));\ntest("multiplies", () => assert.equal(2 * 2, 5));\n`,
    );
    await writePackage({ test: "node --test --test-reporter=tap" });
    const gates = await detectQualityGates(dir, []);
    const [run] = await runVerification(gates.map((g) => g.command), options());
    expect(summarizeGate(run!)).toEqual({ status: "fail", total: 3, passed: 2, failed: 1 });
  });
});

describe("summarizeGate", () => {
  const tail = (outputTail: string, status: CommandRun["status"] = "pass"): CommandRun => ({
    command: "npm test",
    argv: ["npm", "test"],
    status,
    exitCode: status === "pass" ? 0 : 1,
    durationMs: 10,
    outputTail,
  });

  test("node:test, spec reporter, real run", async () => {
    await writeFile(path.join(dir, "a.test.mjs"), `import test from "node:test";\ntest("one", () => {});\ntest("two", () => {});\n`);
    const run = await runCommand({ command: "node --test", argv: ["node", "--test", "--test-reporter=spec"], ...options() });
    expect(summarizeGate(run)).toEqual({ status: "pass", total: 2, passed: 2, failed: 0 });
  });

  test.runIf(hasPytest())("pytest, real run", async () => {
    await writeFile(path.join(dir, "test_math.py"), "def test_a():\n    assert 1\n\ndef test_b():\n    assert 1\n\ndef test_c():\n    assert 0\n");
    const run = await runCommand({ command: "python3 -m pytest -q", argv: ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"], ...options() });
    expect(summarizeGate(run)).toEqual({ status: "fail", total: 3, passed: 2, failed: 1 });
  });

  test("vitest summaries, with or without colour codes", () => {
    expect(summarizeGate(tail(" Test Files  1 passed (1)\n      Tests  3 passed (3)\n   Duration  1.2s\n"))).toMatchObject({ total: 3, passed: 3, failed: 0 });
    expect(summarizeGate(tail(" Test Files  1 failed (1)\n      Tests  1 failed | 2 passed | 1 skipped (4)\n", "fail"))).toEqual({
      status: "fail",
      total: 4,
      passed: 2,
      failed: 1,
    });
    const coloured = "\u001b[2m      Tests \u001b[22m \u001b[1m\u001b[31m1 failed\u001b[39m\u001b[22m\u001b[2m | \u001b[22m\u001b[1m\u001b[32m12 passed\u001b[39m\u001b[22m\u001b[90m (13)\u001b[39m\n";
    expect(summarizeGate(tail(coloured, "fail"))).toMatchObject({ total: 13, passed: 12, failed: 1 });
  });

  test("jest summary", () => {
    const out = "Test Suites: 1 failed, 1 total\nTests:       1 failed, 2 passed, 3 total\nSnapshots:   0 total\nTime:        0.5 s\n";
    expect(summarizeGate(tail(out, "fail"))).toEqual({ status: "fail", total: 3, passed: 2, failed: 1 });
    expect(summarizeGate(tail("Tests:       5 passed, 5 total\n"))).toMatchObject({ total: 5, passed: 5, failed: 0 });
  });

  test("pytest and mocha summaries", () => {
    expect(summarizeGate(tail("==== 3 passed, 1 failed, 2 warnings in 0.12s ====\n", "fail"))).toMatchObject({ total: 4, passed: 3, failed: 1 });
    expect(summarizeGate(tail("  3 passing (12ms)\n  1 pending\n  1 failing\n\n  1) adds:\n", "fail"))).toMatchObject({ total: 5, passed: 3, failed: 1 });
    expect(summarizeGate(tail("  7 passing (2s)\n"))).toMatchObject({ total: 7, passed: 7, failed: 0 });
  });

  test("the last summary wins when a run prints several", () => {
    const out = "# tests 2\n# pass 2\n# fail 0\n...\n      Tests  1 failed | 9 passed (10)\n";
    expect(summarizeGate(tail(out, "fail"))).toMatchObject({ total: 10, passed: 9, failed: 1 });
  });

  test("nothing recognised: counts stay null, status is the run's", () => {
    expect(summarizeGate(tail("eslint: 0 problems\n"))).toEqual({ status: "pass", total: null, passed: null, failed: null });
    expect(summarizeGate(tail("[timed out after 600 s; its process group was killed]", "timeout"))).toEqual({
      status: "timeout",
      total: null,
      passed: null,
      failed: null,
    });
    // Test files, not tests: no count of tests is invented from it.
    expect(summarizeGate(tail(" Test Files  2 passed (2)\n"))).toMatchObject({ total: null });
  });
});

function hasPytest(): boolean {
  try {
    execFileSync("python3", ["-m", "pytest", "--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
