// The dashboard's page (src/ui/web/): one browser bundle, dist/ui/web/app.js, with marked and
// DOMPurify inlined, beside its index.html and app.css. The server (dist/ui/ui-server.js) serves
// these three files and nothing else.
import { copyFileSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

const out = "dist/ui/web";
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ["src/ui/web/main.ts"],
  outfile: `${out}/app.js`,
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "chrome120",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
});
for (const file of ["index.html", "app.css"]) copyFileSync(`src/ui/web/${file}`, `${out}/${file}`);
