// The CLI as one esbuild bundle with code splitting (issue 9, the waiting client). Loaded as its
// ~100 small ES modules, a `delegate` spent most of its start-up in Node's module resolver; bundled,
// bin.js loads the command it names as one chunk, and what only some paths need (the inline
// runner, zod's config check, the daemon) stays behind a dynamic import, in its own chunk. Our
// modules, zod and smol-toml are inlined; other packages and node: builtins stay imports. Every
// output lands in dist/cli/, beside bin.js, so a module that finds files next to itself
// (import.meta.url) is given its own file's place in dist/ instead. What a publishing command runs
// before its request is written is one chunk of its own, what a waiting client adds another (GROUPS below).
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

// The modules a publishing command runs before its request is written, as one chunk, and those a
// waiting client adds, as another. esbuild puts modules in one chunk only when exactly the same
// entry points reach them (each command and each lazily imported path is one), so the publish path
// was ~20 chunks, some of a few hundred bytes, and the wait ~14 more; Node's ES module loader costs
// about half a millisecond per file: measured, a `delegate` took ~24 % less CPU with its publish
// path in one chunk. So each module that imports a member of a group gets an import of the whole
// group first (added here, at bundle time), and a lazy import() of a member goes through a wrapper
// that does the same: every entry point that reaches one member reaches all, and they share a chunk.
const GROUPS = [
  { name: "codex-relay:publish-path", roots: [`${OUT}/publish-and-wait.js`] },
  { name: "codex-relay:wait-path", roots: [`${OUT}/wait-and-print.js`, "dist/daemon/workspace-lock.js"] },
];

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

// Each module's group: the first whose roots import it, directly or not.
const graph = await staticImports();
const groupOf = new Map();
for (const group of GROUPS) {
  for (const queue = group.roots.map((root) => path.resolve(root)); queue.length > 0; ) {
    const file = queue.pop();
    if (groupOf.has(file)) continue;
    groupOf.set(file, group);
    queue.push(...(graph.get(file) ?? []));
  }
}
/** The groups `file` imports a member of, its own excepted. */
function groupsImportedBy(file) {
  const groups = new Set((graph.get(file) ?? []).map((i) => groupOf.get(i)).filter(Boolean));
  groups.delete(groupOf.get(file));
  return GROUPS.filter((group) => groups.has(group));
}

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
      name: "path-groups-in-one-chunk",
      setup(bundle) {
        const byName = new Map(GROUPS.map((group) => [group.name, group]));
        bundle.onResolve({ filter: /^codex-relay:/ }, (args) => (byName.has(args.path) ? { path: args.path, namespace: "group" } : undefined));
        bundle.onLoad({ filter: /.*/, namespace: "group" }, (args) => ({
          contents: byName.get(args.path).roots.map((root) => `import ${JSON.stringify(path.resolve(root))};`).join("\n"),
          resolveDir: process.cwd(),
          loader: "js",
        }));
        bundle.onResolve({ filter: /^\./ }, (args) => {
          const file = path.resolve(args.resolveDir, args.path);
          return args.kind === "dynamic-import" && groupOf.has(file) ? { path: file, namespace: "group-entry" } : undefined;
        });
        bundle.onLoad({ filter: /.*/, namespace: "group-entry" }, (args) => ({
          contents: `import ${JSON.stringify(groupOf.get(args.path).name)};\nexport * from ${JSON.stringify(args.path)};`,
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
      // Our compiled modules: import.meta.url kept to the original file's place, and each group
      // imported first by each module that imports a member of it (see GROUPS).
      name: "our-modules-as-compiled",
      setup(bundle) {
        bundle.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
          let text = await readFile(args.path, "utf8");
          if (text.includes("import.meta.url")) {
            const own = path.relative(path.resolve(OUT), args.path).split(path.sep).join("/");
            text = text.replaceAll("import.meta.url", `new URL(${JSON.stringify(own)}, import.meta.url).href`);
          }
          const groups = groupsImportedBy(args.path);
          if (groups.length > 0) {
            const hashbang = text.startsWith("#!") ? text.slice(0, text.indexOf("\n") + 1) : "";
            text = `${hashbang}${groups.map((group) => `import ${JSON.stringify(group.name)};\n`).join("")}${text.slice(hashbang.length)}`;
          }
          return { contents: text, loader: "js" };
        });
      },
    },
  ],
});
