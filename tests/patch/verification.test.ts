import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { verificationEnv } from "../../src/patch/run-command.js";
import type { CommandRun } from "../../src/protocol/patch-run.js";
import { compareRuns, failureDigest, runVerification, verificationPassed } from "../../src/patch/verification.js";
import { testdir } from "../helpers/testdir.js";

let dir: string;
beforeEach(async () => {
  dir = await testdir({}, { prefix: "relay-verification-" });
  // A tiny "test suite": each check passes when its file says "ok".
  await writeFile(
    path.join(dir, "check.cjs"),
    `const fs = require("fs");
const name = process.argv[2];
const state = fs.readFileSync(name + ".txt", "utf8").trim();
if (state === "ok") { console.log(name + ": 1 passed"); } else { console.error(name + ": expected ok, got " + state); process.exit(1); }\n`,
  );
});

const options = () => ({ cwd: dir, env: verificationEnv(process.env, []), timeoutMs: 30_000 });
const state = (name: string, value: string) => writeFile(path.join(dir, `${name}.txt`), value);

describe("runVerification + compareRuns", () => {
  test("pass, pre-existing and broken are told apart, and every command runs", async () => {
    const commands = ["node check.cjs a", "node check.cjs b", "node check.cjs c", "node check.cjs d"];
    await Promise.all([state("a", "ok"), state("b", "ok"), state("c", "bad"), state("d", "bad")]);
    const baseline = await runVerification(commands, options());
    expect(baseline.map((r) => r.status)).toEqual(["pass", "pass", "fail", "fail"]);

    // The "patch": a stays fine, b breaks, c stays broken, d gets fixed.
    await Promise.all([state("b", "broken by patch"), state("d", "ok")]);
    const after = await runVerification(commands, options());
    const checks = compareRuns(baseline, after, commands);
    expect(checks.map((c) => [c.command, c.verdict])).toEqual([
      ["node check.cjs a", "pass"],
      ["node check.cjs b", "broken"],
      ["node check.cjs c", "pre_existing"],
      ["node check.cjs d", "pass"],
    ]);
    expect(checks[1]!.after?.outputTail).toContain("b: expected ok, got broken by patch");
    expect(checks[1]!.baseline?.status).toBe("pass");
    expect(verificationPassed(checks)).toBe(false);

    const digest = failureDigest(checks, 4000);
    expect(digest).toContain("$ node check.cjs b\nfailed with exit code 1");
    expect(digest).toContain("b: expected ok, got broken by patch");
    expect(digest).toContain("Already failing on the base commit");
    expect(digest).toContain("- node check.cjs c");
    expect(digest).not.toContain("$ node check.cjs a");
  });

  test("only pre-existing failures still pass verification", async () => {
    await state("c", "bad");
    const commands = ["node check.cjs c"];
    const checks = compareRuns(await runVerification(commands, options()), await runVerification(commands, options()), commands);
    expect(checks[0]!.verdict).toBe("pre_existing");
    expect(verificationPassed(checks)).toBe(true);
  });

  test("a line that cannot be parsed is an error run; the others still run", async () => {
    await state("a", "ok");
    const runs = await runVerification(["node check.cjs a && rm -rf /", "node check.cjs a"], options());
    expect(runs[0]).toMatchObject({ command: "node check.cjs a && rm -rf /", status: "error", argv: [], exitCode: null });
    expect(runs[0]!.outputTail).toContain('"&&"');
    expect(runs[0]!.outputTail).toContain("sh -c");
    expect(runs[1]!.status).toBe("pass");
  });

  test("$HOME reaches the program literally, and NAME=value words set its env", async () => {
    const runs = await runVerification(
      [`node -e "console.log(process.argv[1])" $HOME`, `GREETING='hi there' node -e "console.log(process.env.GREETING)"`],
      { ...options(), redact: (text) => text.toUpperCase() },
    );
    expect(runs[0]!.outputTail).toBe("$HOME\n");
    expect(runs[1]!.outputTail).toBe("HI THERE\n");
  });

  test("a missing program is reported, not thrown", async () => {
    const runs = await runVerification(["definitely-not-installed-tool --check"], options());
    expect(runs[0]!.status).toBe("error");
    expect(runs[0]!.outputTail).toContain("command not found: definitely-not-installed-tool");
  });

  test("an aborted run stops; the commands not run are not_run and verification fails", async () => {
    const controller = new AbortController();
    controller.abort("cancelled");
    const commands = ["node check.cjs a"];
    const runs = await runVerification(commands, { ...options(), signal: controller.signal });
    expect(runs).toEqual([]);
    const checks = compareRuns([], runs, commands);
    expect(checks[0]!.verdict).toBe("not_run");
    expect(verificationPassed(checks)).toBe(false);
  });
});

describe("compareRuns (pure)", () => {
  const run = (command: string, status: CommandRun["status"], outputTail = ""): CommandRun => ({
    command,
    argv: command.split(" "),
    status,
    exitCode: status === "pass" ? 0 : status === "fail" ? 1 : null,
    durationMs: 1,
    outputTail,
  });

  test("without a baseline a failure is broken; a timeout after a pass is broken", () => {
    expect(compareRuns(null, [run("t", "fail")], ["t"])[0]!.verdict).toBe("broken");
    expect(compareRuns([run("t", "pass")], [run("t", "timeout")], ["t"])[0]!.verdict).toBe("broken");
    // a failure the patch changed (a timeout became a failure) is the patch's, not pre-existing
    expect(compareRuns([run("t", "timeout")], [run("t", "fail")], ["t"])[0]!.verdict).toBe("broken");
    expect(compareRuns([run("t", "pass")], null, ["t"])[0]!.verdict).toBe("not_run");
  });

  test("a failure is pre-existing only when the patch left its output as it was (timings aside)", () => {
    const before = run("t", "fail", "FAIL add(2, 3) = -1, expected 5\nran in 12 ms");
    expect(compareRuns([before], [run("t", "fail", "FAIL add(2, 3) = -1, expected 5\nran in 31 ms")], ["t"])[0]!.verdict).toBe("pre_existing");
    expect(compareRuns([before], [run("t", "fail", "FAIL add(2, 3) = 6, expected 5\nran in 12 ms")], ["t"])[0]!.verdict).toBe("broken");
  });

  test("runs are matched to their command even when positions differ", () => {
    const checks = compareRuns([run("b", "fail"), run("a", "pass")], [run("a", "fail"), run("b", "fail")], ["a", "b"]);
    expect(checks.map((c) => c.verdict)).toEqual(["broken", "pre_existing"]);
  });

  test("the failure digest stays within its budget and keeps the end of each tail", () => {
    const long = `${"noise line\n".repeat(2000)}AssertionError: expected 2 to be 3\n`;
    const checks = compareRuns([run("x", "pass"), run("y", "pass")], [run("x", "fail", long), run("y", "timeout", long)], ["x", "y"]);
    const digest = failureDigest(checks, 1500);
    expect(Buffer.byteLength(digest)).toBeLessThanOrEqual(1500);
    expect(digest).toContain("$ x\nfailed with exit code 1");
    expect(digest).toContain("$ y\ntimed out");
    expect(digest.match(/AssertionError: expected 2 to be 3/g)).toHaveLength(2);
    expect(digest).toContain("[… earlier output omitted …]");
  });
});
