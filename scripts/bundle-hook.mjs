// The editor hook (`codex-relay hook …`) runs on every prompt the user types. Loaded as its ~23
// small ES modules it spent ~19 ms of a phrase's run in Node's module loader; bundled into one file
// it does not (measured in-process, median of 25: 69.5 → 50.1 ms). Only codex-relay's own modules
// are inlined (packages and node: builtins stay imports), and the file keeps its place, so
// bin.ts loads it as before.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const entry = "dist/cli/commands/hook.js";
const result = await build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: false,
  metafile: true,
  logLevel: "warning",
  plugins: [
    {
      // The workspace redactor loads the config schema (zod, ~60–100 ms): only a prompt that holds
      // the phrase needs it, so it stays a separate module, imported from dist/ when used.
      name: "lazy-workspace-redactor",
      setup(bundle) {
        bundle.onResolve({ filter: /\/context\/workspace-redactor\.js$/ }, () => ({ path: "../../context/workspace-redactor.js", external: true }));
      },
    },
  ],
});
// A module that finds files next to itself would look in the wrong folder once inlined here.
const moved = Object.keys(result.metafile.inputs).filter((file) => file !== entry && file.endsWith(".js") && readFileSync(file, "utf8").includes("import.meta"));
if (moved.length > 0) throw new Error(`bundle-hook: ${moved.join(", ")} use import.meta; keep them out of the hook's imports`);
