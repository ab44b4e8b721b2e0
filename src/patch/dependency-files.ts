// Which files declare dependencies in the common ecosystems, and whether a change to one changes
// its dependencies. Pure. Lock files count as changed whenever they change; for package.json
// only its dependency sections count, so editing a script is not a dependency change.
import path from "node:path";

const LOCK_FILES = new Set([
  "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock",
  "poetry.lock", "Pipfile.lock", "pdm.lock", "uv.lock",
  "Cargo.lock", "go.sum", "gradle.lockfile", "Gemfile.lock", "composer.lock",
]);
const MANIFESTS = new Set([
  "package.json", "Pipfile", "pyproject.toml", "setup.py", "setup.cfg",
  "Cargo.toml", "go.mod", "pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle",
  "settings.gradle.kts", "Gemfile", "composer.json",
]);
const REQUIREMENTS = /^requirements(?:[-_.][\w.-]*)?\.(?:txt|in)$/;
const NPM_SECTIONS = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies", "bundleDependencies", "bundledDependencies", "overrides", "resolutions"];

export function isLockFile(file: string): boolean {
  return LOCK_FILES.has(path.posix.basename(file));
}

export function isDependencyFile(file: string): boolean {
  const name = path.posix.basename(file);
  return LOCK_FILES.has(name) || MANIFESTS.has(name) || REQUIREMENTS.test(name);
}

/** Did this change (null = absent on that side) add, remove or change a dependency? */
export function dependencyChanged(file: string, before: string | null, after: string | null): boolean {
  if (!isDependencyFile(file) || before === after) return false;
  if (path.posix.basename(file) !== "package.json" || before === null || after === null) return true;
  try {
    const a = JSON.parse(before) as Record<string, unknown>;
    const b = JSON.parse(after) as Record<string, unknown>;
    return NPM_SECTIONS.some((key) => JSON.stringify(a[key] ?? null) !== JSON.stringify(b[key] ?? null));
  } catch {
    return true; // an unparseable manifest cannot be shown to leave dependencies alone
  }
}
