// The daily digest on an injected clock: at its time the daemon writes out/digest-YYYY-MM-DD.md
// listing the runs of the period (a completed and a failed one, served by the real codex and the
// model fixture) with their tokens and cost, the failure still open and the unmerged patch branch.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { jsonMessage } from "../fixtures/model-server.js";
import { git } from "../helpers/gitdir.js";
import { dropRequest } from "../helpers/in-process-daemon.js";
import { manualClock, useClockedDaemons } from "../helpers/clocked-daemon.js";
import { analysisReply, until } from "../helpers/relay-workspace.js";

const session = useClockedDaemons();

const DIGEST = `
[digest]
enabled = true
at = "18:00"
time_zone = "Europe/Berlin"

[budget.prices."gpt-5.5"]
input = 1.25
output = 10.0
`;

describe("digest", () => {
  it("lists a completed and a failed run with their tokens and cost, the open failure and the unmerged patch", async () => {
    const ws = await session.workspace({ toml: DIGEST });
    // A verified patch's branch nobody merged yet.
    git(ws.dir, "checkout", "-q", "-b", "codex/patch-20260504_070000");
    await writeFile(path.join(ws.dir, "cache.ts"), "export const ttl = 60;\n");
    git(ws.dir, "add", "cache.ts");
    git(ws.dir, "commit", "-q", "-m", "fix(cache): expire entries after a minute");
    git(ws.dir, "checkout", "-q", "-");
    // And a plan run's branch: counted as a patch's is (every branch under codex/).
    git(ws.dir, "checkout", "-q", "-b", "codex/plan-20260504_060000");
    await writeFile(path.join(ws.dir, "queue.ts"), "export const retries = 3;\n");
    git(ws.dir, "add", "queue.ts");
    git(ws.dir, "commit", "-q", "-m", "fix(queue): retry a dropped message");
    git(ws.dir, "checkout", "-q", "-");

    const clock = manualClock("2026-05-04T08:00:00Z");
    const daemon = await session.start(ws, clock.now); // the digest counts from here

    ws.server.enqueue(
      { kind: "message", text: JSON.stringify(analysisReply()), usage: { input_tokens: 1200, cached_tokens: 0, output_tokens: 340, reasoning_tokens: 0 } },
      { kind: "message", text: "I could not decide.", usage: { input_tokens: 700, cached_tokens: 0, output_tokens: 20, reasoning_tokens: 0 } },
    );
    clock.set("2026-05-04T09:00:00Z");
    await dropRequest(ws.layout, "20260504_090000", "---\nrequested_by: nightly-builder\n---\n## Issue\nThe cache never expires.\n");
    await until(() => existsSync(ws.layout.result("20260504_090000", "json")), "the first RESULT");
    await dropRequest(ws.layout, "20260504_091500", "## Issue\nThe queue drops messages.\n");
    await until(() => existsSync(ws.layout.result("20260504_091500", "json")), "the second RESULT");
    const completed = JSON.parse(await readFile(ws.layout.result("20260504_090000", "json"), "utf8"));
    const failed = JSON.parse(await readFile(ws.layout.result("20260504_091500", "json"), "utf8"));
    expect([completed.status, failed.status]).toEqual(["completed", "failed"]);

    clock.set("2026-05-04T15:59:00Z"); // 17:59 in Berlin: not yet
    await daemon.checkSchedules();
    expect(existsSync(ws.layout.digest("2026-05-04"))).toBe(false);
    clock.set("2026-05-04T16:00:05Z");
    await daemon.checkSchedules();
    const digest = await readFile(ws.layout.digest("2026-05-04"), "utf8");

    expect(digest).toContain("# codex-relay digest 2026-05-04");
    expect(digest).toContain("2 run(s) finished, 2260 tokens (1900 in, 360 out)");
    expect(digest).toContain(`| \`20260504_090000\` | analysis | nightly-builder | completed | 1200 / 340 | $${completed.usage.cost_usd.toFixed(4)} |`);
    expect(digest).toContain(`| \`20260504_091500\` | analysis | (not said) | failed (invalid_reply) | 700 / 20 | $${failed.usage.cost_usd.toFixed(4)} |`);
    expect(digest).toContain("- completed: 1\n- failed: 1");
    const open = digest.slice(digest.indexOf("## Failures still open"), digest.indexOf("## Patches awaiting merge"));
    expect(open).toContain("`20260504_091500` analysis, failed");
    expect(open).not.toContain("20260504_090000");
    const awaiting = digest.slice(digest.indexOf("## Patches awaiting merge"));
    expect(awaiting).toContain("`codex/patch-20260504_070000` (fix(cache): expire entries after a minute)");
    expect(awaiting).toContain("`codex/plan-20260504_060000` (fix(queue): retry a dropped message)");
  });

  it("counts a failure as closed once a later request of the same kind and issue completed", async () => {
    const ws = await session.workspace({ toml: DIGEST });
    const clock = manualClock("2026-05-04T08:00:00Z");
    const daemon = await session.start(ws, clock.now);
    ws.server.enqueue({ kind: "message", text: "I could not decide." }, jsonMessage(analysisReply()));
    for (const [id, at] of [["20260504_090000", "2026-05-04T09:00:00Z"], ["20260504_100000", "2026-05-04T10:00:00Z"]] as const) {
      clock.set(at);
      await dropRequest(ws.layout, id, "## Issue\nThe queue drops messages.\n");
      await until(() => existsSync(ws.layout.result(id, "json")), `the RESULT of ${id}`);
    }
    clock.set("2026-05-04T16:00:00Z");
    await daemon.checkSchedules();
    const digest = await readFile(ws.layout.digest("2026-05-04"), "utf8");
    expect(digest).toContain("- failed: 1\n- completed: 1");
    expect(digest.slice(digest.indexOf("## Failures still open"), digest.indexOf("## Patches awaiting merge"))).toMatch(/completed\.\n\n\(none\)\n/);
  });
});

