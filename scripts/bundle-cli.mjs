// The CLI as one esbuild bundle with code splitting (issue 9, the waiting client). Loaded as its
// ~100 small ES modules, a `delegate` spent most of its start-up in Node's module resolver; bundled,
// bin.js loads the command it names as one chunk, and what only some paths need (the inline
// runner, zod's config check, the daemon) stays behind a dynamic import, in its own chunk. Our
// modules, zod and smol-toml are inlined; other packages and node: builtins stay imports. Every
// output lands in dist/cli/, beside bin.js, so a module that finds files next to itself
// (import.meta.url) is given its own file's place in dist/ instead. What a publishing command runs
// before its request is written is one chunk of its own (CORE_ROOTS below).
//
// zod's locales: zod ships every language's error messages behind one `locales` index that its
// namespace re-exports, so the bundle held them all (about half of the 755 KB zod chunk). We only use
// `en` (zod's default, imported by zod itself), so the index is replaced by one that exports `en`
// alone: the chunk went from 755 to 391 KB and its import from ~45 to ~30 ms (medians of 15, this
// machine under load; the lead measured 36 → 23 ms on a quiet one).
//
// Not minified, by measurement (25 runs each, paired, this 2-core machine): a `delegate` answered
// by the config cache (the usual path) spent the same CPU minified or not (ratios 0.97-1.03, noise);
// one that checks the toml itself gained 1-2 % with whitespace and syntax minified (zod's chunk
// 391 → 288 KB, its import ~26 → ~24 ms) and 9 % only with identifiers renamed, which makes every
// stack trace unreadable. Not worth a bundle whose line numbers and names say nothing.
//
// CODEX_RELAY_CONFIG_BUILD: the key of config/cached-config.ts's cache must change whenever the
// code that turns codex-relay.toml into a config could, so it is a hash of every compiled module
// (tsc's output, before bundling) and the installed version of every dependency.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

const OUT = "dist/cli";
const INLINED = /^(zod|smol-toml)(\/|$)/;
const ZOD_LOCALES = /(^|\/)locales\/index\.js$/;

async function buildId() {
  const hash = createHash("sha256");
  const files = (await readdir("dist", { recursive: true })).filter((file) => file.endsWith(".js")).sort();
  for (const file of files) hash.update(`${file}\0`).update(await readFile(path.join("dist", file))).update("\0");
  const pkg = JSON.parse(await readFile("package.json", "utf8"));
  hash.update(`${pkg.name}@${pkg.version}\0`);
  for (const name of Object.keys(pkg.dependencies ?? {}).sort()) {
    const { version } = JSON.parse(await readFile(path.join("node_modules", name, "package.json"), "utf8"));
    hash.update(`${name}@${version}\0`);
  }
  return hash.digest("hex").slice(0, 32);
}

// The modules a publishing command runs before its request is written, as one chunk. esbuild puts
// modules in one chunk only when exactly the same entry points reach them (each command and each
// lazily imported path is one), so the publish path was ~20 chunks, some of a few hundred bytes,
// and Node's ES module loader costs about half a millisecond per file: measured, the same code as
// one file took ~20 ms less CPU per `delegate`. So every module that imports one of them gets an
// import of all of them (added here, at bundle time), and a lazy import() of one of them goes
// through a wrapper that does the same: every entry point that reaches any reaches all, one chunk.
const CORE_ROOTS = [`${OUT}/publish-and-wait.js`];
const CORE_MODULE = "codex-relay:publish-path";

/** Each compiled module of the CLI (absolute path) and the modules it imports statically. */
async function staticImports() {
  const { metafile } = await build({
    entryPoints: [`${OUT}/bin.js`],
    outdir: OUT,
    bundle: true,
    splitting: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    logLevel: "warning",
    plugins: [{ name: "our-modules-only", setup: (bundle) => bundle.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true })) }],
  });
  const graph = new Map();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    graph.set(path.resolve(file), input.imports.filter((i) => i.kind === "import-statement" && !i.external).map((i) => path.resolve(i.path)));
  }
  return graph;
}

const graph = await staticImports();
const core = new Set();
for (const queue = CORE_ROOTS.map((root) => path.resolve(root)); queue.length > 0; ) {
  const file = queue.pop();
  if (core.has(file)) continue;
  core.add(file);
  queue.push(...(graph.get(file) ?? []));
}
const importsCore = new Set([...graph].filter(([file, imports]) => !core.has(file) && imports.some((i) => core.has(i))).map(([file]) => file));

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
  define: { CODEX_RELAY_CONFIG_BUILD: JSON.stringify(await buildId()) },
  plugins: [
    {
      name: "publish-path-in-one-chunk",
      setup(bundle) {
        bundle.onResolve({ filter: new RegExp(`^${CORE_MODULE}$`) }, () => ({ path: CORE_MODULE, namespace: "core" }));
        bundle.onLoad({ filter: /.*/, namespace: "core" }, () => ({
          contents: CORE_ROOTS.map((root) => `import ${JSON.stringify(path.resolve(root))};`).join("\n"),
          resolveDir: process.cwd(),
          loader: "js",
        }));
        bundle.onResolve({ filter: /^\./ }, (args) => {
          const file = path.resolve(args.resolveDir, args.path);
          return args.kind === "dynamic-import" && core.has(file) ? { path: file, namespace: "core-entry" } : undefined;
        });
        bundle.onLoad({ filter: /.*/, namespace: "core-entry" }, (args) => ({
          contents: `import ${JSON.stringify(CORE_MODULE)};\nexport * from ${JSON.stringify(args.path)};`,
          resolveDir: path.dirname(args.path),
          loader: "js",
        }));
      },
    },
    {
      name: "zod-locales-en-only",
      setup(bundle) {
        bundle.onResolve({ filter: ZOD_LOCALES }, (args) =>
          args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`) ? { path: path.join(args.resolveDir, args.path), namespace: "zod-locales" } : undefined,
        );
        bundle.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
          contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), "en.js"))};`,
          resolveDir: path.dirname(args.path),
          loader: "js",
        }));
      },
    },
    {
      name: "packages-external-but-zod-and-toml",
      setup(bundle) {
        bundle.onResolve({ filter: /^[^./]/ }, (args) => (INLINED.test(args.path) ? undefined : { path: args.path, external: true }));
      },
    },
    {
      // Our compiled modules: import.meta.url kept to the original file's place, and the publish
      // path imported first by each module that imports part of it (see CORE_ROOTS).
      name: "our-modules-as-compiled",
      setup(bundle) {
        bundle.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
          let text = await readFile(args.path, "utf8");
          if (text.includes("import.meta.url")) {
            const own = path.relative(path.resolve(OUT), args.path).split(path.sep).join("/");
            text = text.replaceAll("import.meta.url", `new URL(${JSON.stringify(own)}, import.meta.url).href`);
          }
          if (importsCore.has(args.path)) {
            const hashbang = text.startsWith("#!") ? text.slice(0, text.indexOf("\n") + 1) : "";
            text = `${hashbang}import ${JSON.stringify(CORE_MODULE)};\n${text.slice(hashbang.length)}`;
          }
          return { contents: text, loader: "js" };
        });
      },
    },
  ],
});
