// The CLI as shipped: dist/cli/bin.js and its esbuild chunks (scripts/bundle-cli.mjs). Every
// command of the CLI table still loads and gives its usual errors, and a command runs from the
// chunks alone instead of ~130 modules of dist/.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, type CommandName } from "../../src/cli/cli-table.js";
import { cleanUpAfterEach, CLI, makeTestWorkspace } from "../helpers/relay-workspace.js";
import { testdir } from "../helpers/testdir.js";

const held = cleanUpAfterEach();

/** Arguments that get each command past parsing (its required positionals, `delegate`'s --issue). */
function argsFor(command: CommandName): string[] {
  const spec = COMMANDS[command];
  const positionals = spec.positionals.filter((name) => !name.endsWith("?")).map(() => "x");
  return [command, ...positionals, ...(command === "delegate" ? ["--issue", "x"] : [])];
}

// `init` sets a workspace up and `hook` never fails (both tested in their own files).
const FAILING: CommandName[] = (Object.keys(COMMANDS) as CommandName[]).filter((name) => name !== "init" && name !== "hook");

describe("the bundled CLI", () => {
  it.each(FAILING)("`%s` loads from its chunk and says a missing workspace is one, with a hint, creating nothing", async (command) => {
    const ws = (held.ws = await makeTestWorkspace());
    const missing = path.join(ws.dir, "no-such-workspace");
    const run = await ws.cli([...argsFor(command), "--workspace", missing]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`codex-relay ${command}: workspace ${missing} does not exist; nothing was written`);
    expect(run.stderr).toContain("hint: Check the path given to --workspace");
    expect(existsSync(missing)).toBe(false);
  });

  it("`init` and `hook` load from their chunks too", async () => {
    const ws = (held.ws = await makeTestWorkspace());
    const fresh = path.join(ws.dir, "fresh");
    const init = await ws.cli(["init", "--templates", "--workspace", fresh]);
    expect(init.exitCode).toBe(0);
    // templates/ is found next to the original module (import.meta.url kept its place)
    expect(await readFile(path.join(fresh, "templates/codex-relay-result.md"), "utf8")).toContain("{{");
    const hook = await ws.cli(["hook", "no-such-agent"]);
    expect(hook.exitCode).toBe(0);
  });

  it("a publish-only `delegate` reads no module of dist/ but bin.js and its chunks", async () => {
    const ws = (held.ws = await makeTestWorkspace());
    // A loader hook that lists every file module the process resolves.
    const dir = await testdir({
      "hooks.mjs": `import { appendFileSync } from "node:fs";
export async function resolve(spec, ctx, next) { const r = await next(spec, ctx); if (r.url.startsWith("file:")) appendFileSync(process.env.MODULES_FILE, r.url + "\\n"); return r; }
`,
      "register.mjs": `import { register } from "node:module"; register("./hooks.mjs", import.meta.url);\n`,
    });
    const list = path.join(dir, "modules.txt");
    await writeFile(list, "");
    const run = await ws.cli(["delegate", "--issue", "which modules load", "--json"], {
      env: { NODE_OPTIONS: `--import=${path.join(dir, "register.mjs")}`, MODULES_FILE: list },
    });
    expect(run.exitCode).toBe(0);
    const dist = path.dirname(path.dirname(CLI));
    const ours = (await readFile(list, "utf8"))
      .split("\n")
      .filter((url) => url.startsWith(`file://${dist}/`))
      .map((url) => path.relative(dist, new URL(url).pathname));
    expect(ours).toContain("cli/bin.js");
    expect(ours.filter((file) => file !== "cli/bin.js" && !/^cli\/chunk-[A-Z0-9]+\.js$/.test(file))).toEqual([]);
  });
});
