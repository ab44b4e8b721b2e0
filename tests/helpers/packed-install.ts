// codex-relay as a user installs it: `npm pack` of this checkout, then a real `npm ci` of that
// tarball into a project, offline. npm resolves a bare `npm install <tarball>` through the
// registry's metadata, which `npm ci` does not cache, so the project gets a lockfile instead: the
// tarball plus this checkout's locked runtime dependencies, whose tarballs `npm ci` just cached.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** One file of the tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  readonly path: string;
  readonly mode: number;
}

/**
 * `npm pack` of this checkout into `dest`, without its prepack script: that rebuilds dist/, which
 * the other test files are running at this moment (`npm test` has just built it).
 */
export function packCheckout(dest: string): { tarball: string; files: PackedFile[] } {
  const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dest], { cwd: ROOT, env: npmEnv(), encoding: "utf8" });
  const [packed] = JSON.parse(out) as { filename: string; files: PackedFile[] }[];
  if (!packed) throw new Error(`npm pack printed no package: ${out}`);
  return { tarball: path.join(dest, packed.filename), files: packed.files };
}

/** Add `tarball` to the devDependencies of the project in `dir` and `npm ci` it with no network. */
export async function installTarball(dir: string, tarball: string): Promise<void> {
  const spec = `file:${path.relative(dir, tarball)}`;
  const manifest = { name: "user-project", version: "1.0.0", private: true, devDependencies: { "codex-relay": spec } };
  await writeFile(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(path.join(dir, "package-lock.json"), `${JSON.stringify(lockfile(manifest, spec), null, 2)}\n`);
  execFileSync("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--prefix", dir], { cwd: dir, env: npmEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function lockfile(manifest: { name: string; devDependencies: Record<string, string> }, spec: string): unknown {
  const relay = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const locked = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const packages: Record<string, unknown> = {
    "": { name: manifest.name, devDependencies: manifest.devDependencies },
    "node_modules/codex-relay": {
      version: relay.version,
      resolved: spec,
      dev: true,
      license: relay.license,
      dependencies: relay.dependencies,
      bin: relay.bin,
      engines: relay.engines,
      peerDependencies: relay.peerDependencies,
      peerDependenciesMeta: relay.peerDependenciesMeta,
    },
  };
  // What this checkout runs with, as dev dependencies of the user's project.
  for (const [where, entry] of Object.entries(locked.packages)) {
    if (where && !entry.dev && !entry.devOptional) packages[where] = { ...entry, dev: true };
  }
  return { name: manifest.name, version: "1.0.0", lockfileVersion: 3, requires: true, packages };
}

/**
 * The environment of a user's shell for npm: no npm_* variables from the `npm test` that runs us
 * (npm_config_local_prefix would point npm at this checkout), but the same npm cache.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return env;
}
