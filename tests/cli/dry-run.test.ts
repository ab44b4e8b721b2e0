// `--dry-run` of delegate, diagnose, patch, micro and run, through the built CLI: each prints the
// prompt (redacted), the codex argv and the environment names a run would use, and leaves the
// workspace (`.git` included) and the user's home byte-identical, with no call to the model.
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MOCK_ENV_KEY } from "../fixtures/codex-home.js";
import { makePatchWorkspace } from "../helpers/patch-workspace.js";
import type { TestWorkspace } from "../helpers/relay-workspace.js";

let ws: TestWorkspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

const PRICES = '[budget.prices."gpt-5.5"]\ninput = 2.0\noutput = 8.0\n';
const SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

/** Every file, folder and link under `dir` (`.git` included): path → kind and content hash. */
function snapshot(dir: string): Map<string, string> {
  const seen = new Map<string, string>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const full = path.join(folder, name);
      const rel = path.relative(dir, full);
      const info = lstatSync(full);
      if (info.isSymbolicLink()) seen.set(rel, `link ${readlinkSync(full)}`);
      else if (info.isDirectory()) {
        seen.set(rel, "dir");
        walk(full);
      } else seen.set(rel, `file ${info.mode} ${createHash("sha256").update(readFileSync(full)).digest("hex")}`);
    }
  };
  walk(dir);
  return seen;
}

/** Runs the CLI with `args` and checks it changed nothing and called no model; returns its stdout. */
async function dryRun(w: TestWorkspace, args: string[]): Promise<string> {
  const before = { ws: snapshot(w.dir), home: snapshot(w.env.HOME!) };
  const run = await w.cli(args);
  expect(run.stderr).toBe("");
  expect(run.exitCode).toBe(0);
  expect(snapshot(w.dir)).toEqual(before.ws);
  expect(snapshot(w.env.HOME!)).toEqual(before.home);
  expect(w.server.requests).toHaveLength(0);
  return run.stdout;
}

describe("--dry-run", () => {
  it("delegate: prints the redacted prompt, the codex argv, env names, embedded and refused files, and writes nothing", async () => {
    const w = (ws = await makePatchWorkspace({ prerequisites: false }));
    await writeFile(path.join(w.dir, ".env"), "API_TOKEN=do-not-send\n");
    const out = await dryRun(w, ["delegate", "--issue", "add() subtracts", "--files", "src/math.js,.env,missing.js", "--context", `the token is ${SECRET}`, "--dry-run"]);
    expect(out).toContain("# Dry run: analysis");
    expect(out).toContain('"exec"\n  "--json"\n  "-s"\n  "read-only"');
    expect(out).toContain(`"-C"\n  ${JSON.stringify(w.dir)}`);
    expect(out).toMatch(/"-c"\n {2}"model_providers\.mock\.base_url=\\"http:\/\/127\.0\.0\.1:<port>\/r\/<secret>\\""/);
    expect(out).toContain("add() subtracts"); // the prompt
    expect(out).toContain("return a - b;"); // src/math.js embedded
    expect(out).toMatch(/- src\/math\.js: \d+ bytes/);
    expect(out).toMatch(/- .*\.env/); // refused, with its reason
    expect(out).toContain("missing.js");
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain("do-not-send");
    expect(out).toContain(`- ${MOCK_ENV_KEY}\n`);
    expect(out).toContain("- PATH\n");
    expect(out).toContain("prompt bytes / 4");
    expect(out).toContain('"root_cause"'); // the output schema
  });

  it("diagnose --json: the same as data, with the cost at [budget.prices]", async () => {
    const w = (ws = await makePatchWorkspace({ toml: PRICES }));
    const report = JSON.parse(await dryRun(w, ["diagnose", "--dry-run", "--json"]));
    expect(report).toMatchObject({ dry_run: true, kind: "diagnose", rejected: null });
    const turn = report.turn;
    expect(turn.sandbox).toBe("read-only");
    expect(turn.model).toBe("gpt-5.5");
    expect(turn.argv[0]).toMatch(/codex/);
    expect(turn.argv.slice(1, 5)).toEqual(["exec", "--json", "-s", "read-only"]);
    expect(turn.argv.at(-2)).toBe("--");
    expect(turn.argv.at(-1)).toBe(turn.prompt);
    expect(turn.prompt).toContain("add(2, 3) returns -1 instead of 5."); // the task packet
    expect(turn.env_names).toEqual(expect.arrayContaining(["PATH", "HOME", "CODEX_HOME", MOCK_ENV_KEY]));
    expect(turn.output_schema.properties).toHaveProperty("files_to_change");
    expect(turn.estimate.input_tokens).toBe(Math.ceil(Buffer.byteLength(turn.prompt) / 4));
    expect(turn.estimate.cost_usd).toBeCloseTo((turn.estimate.input_tokens * 2) / 1e6, 6);
  });

  it("patch: the prompt with the diagnosis and approved files, workspace-write in a sandbox slot; no verification runs", async () => {
    const w = (ws = await makePatchWorkspace());
    const report = JSON.parse(await dryRun(w, ["patch", "--dry-run", "--json"]));
    expect(report.rejected).toBeNull();
    expect(report.turn.sandbox).toBe("workspace-write");
    expect(report.turn.cwd).toMatch(/slot-<n>$/);
    expect(report.turn.argv).toContain("workspace-write");
    expect(report.turn.prompt).toContain("- `src/math.js`");
    expect(report.turn.prompt).toContain("Use `+` in src/math.js."); // the diagnosis
    expect(report.turn.prompt).toContain("- `node test.js`");
    expect(report.what).toMatch(/codex\/patch-\d{8}_\d{6}/);
    expect(report.notes.join("\n")).toContain("approved by claude-chair");
  });

  it("patch without its prerequisites: says why it would be refused, and still writes nothing", async () => {
    const w = (ws = await makePatchWorkspace({ prerequisites: false }));
    const report = JSON.parse(await dryRun(w, ["patch", "--dry-run", "--json"]));
    expect(report.turn).toBeNull();
    expect(report.rejected).toContain("progress/TASK_PACKET.md");
  });

  it("micro: the change and the quality gates; run <file>: the file's request as the daemon would read it", async () => {
    const w = (ws = await makePatchWorkspace({ prerequisites: false }));
    const micro = await dryRun(w, ["micro", "make add() add", "--files", "src/math.js", "--dry-run"]);
    expect(micro).toContain("# Dry run: micro");
    expect(micro).toContain('"workspace-write"');
    expect(micro).toContain("make add() add");
    expect(micro).toContain("- `npm test`");

    const file = path.join(w.dir, "request.md");
    await writeFile(file, "---\nkind: analysis\n---\n## Issue\nwhy does add() subtract?\n\n## Files\n- src/math.js\n");
    const run = await dryRun(w, ["run", file, "--dry-run"]);
    expect(run).toContain("why does add() subtract?");
    expect(run).toContain('"read-only"');
    expect(run).toMatch(/- src\/math\.js: \d+ bytes/);
  });
});
