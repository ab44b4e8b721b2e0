// The CLI as one esbuild bundle with code splitting (issue 9, the waiting client). Loaded as its
// ~100 small ES modules, a `delegate` spent most of its start-up in Node's module resolver; bundled,
// bin.js loads the command it names as one chunk, and what only some paths need (the inline
// runner, zod's config check, the daemon) stays behind a dynamic import, in its own chunk. Our
// modules, zod and smol-toml are inlined; other packages and node: builtins stay imports. Every
// output lands in dist/cli/, beside bin.js, so a module that finds files next to itself
// (import.meta.url) is given its own file's place in dist/ instead.
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

const OUT = "dist/cli";
const INLINED = /^(zod|smol-toml)(\/|$)/;

await build({
  entryPoints: [`${OUT}/bin.js`],
  outdir: OUT,
  entryNames: "[name]",
  chunkNames: "chunk-[hash]",
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: false,
  logLevel: "warning",
  plugins: [
    {
      name: "packages-external-but-zod-and-toml",
      setup(bundle) {
        bundle.onResolve({ filter: /^[^./]/ }, (args) => (INLINED.test(args.path) ? undefined : { path: args.path, external: true }));
      },
    },
    {
      name: "import-meta-url-of-the-original-file",
      setup(bundle) {
        bundle.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
          const text = await readFile(args.path, "utf8");
          if (!text.includes("import.meta.url")) return undefined;
          const own = path.relative(path.resolve(OUT), args.path).split(path.sep).join("/");
          return { contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(own)}, import.meta.url).href`), loader: "js" };
        });
      },
    },
  ],
});
