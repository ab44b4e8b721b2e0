// The hard limits of a patch (PROTOCOL.md §5), checked against the diff the daemon computed itself,
// never against what Codex says it did. Pure. Every violation is returned, each naming the file
// and the numbers, so the report can say exactly what was exceeded.
import { globToRegExp, isGlob } from "../security/glob.js";
import type { DiffSummary, FileChange, LimitViolation, PatchLimits } from "../protocol/patch-run.js";

/**
 * Paths no patch may change whatever the approval: git's own files, the daemon's state, the
 * protocol folders (Codex must never write its own approval or report) and the relay config.
 */
export const ALWAYS_PROTECTED: readonly string[] = Object.freeze([
  ".git/**",
  ".autonomous_runs/**",
  "progress/**",
  "out/**",
  "codex-relay.toml",
]);

export function checkLimits(diff: DiffSummary, limits: PatchLimits): LimitViolation[] {
  if (diff.files.length === 0) {
    return [violation("no_changes", null, null, 0, "Codex changed no files")];
  }
  const violations: LimitViolation[] = [];
  const approved = limits.approvedFiles === null ? null : limits.approvedFiles.map(approvedMatcher);

  for (const file of diff.files) {
    for (const changed of pathsOf(file)) {
      const hit = protectedGlobOf(changed, limits.protectedPaths);
      if (hit !== null) {
        violations.push(violation("protected_path", changed, null, null, `${label(file, changed)}: protected path (matches \`${hit}\`); a patch may never change it`));
      }
    }
  }
  if (approved !== null) {
    for (const file of diff.files) {
      const outside = pathsOf(file).filter((changed) => !approved.some((test) => test(changed)));
      if (outside.length === 0) continue;
      const message =
        file.status === "renamed" && file.oldPath !== null
          ? `${file.oldPath} → ${file.path}: a rename needs both paths approved; not approved: ${outside.join(", ")}`
          : `${label(file, file.path)}: not in the approved files`;
      violations.push(violation("unapproved_file", file.path, null, null, message));
    }
  }
  if (!limits.allowDependencyChanges) {
    for (const file of diff.files.filter((f) => f.dependencyChange)) {
      violations.push(
        violation("dependency_change", file.path, null, null, `${label(file, file.path)}: changes dependencies (dependency changes need a person's approval)`),
      );
    }
  }
  for (const file of diff.files) {
    const lines = linesOf(file);
    if (lines > limits.maxLinesPerFile) {
      const what = file.binary ? "binary change, counted as 1 changed line" : `${lines} changed lines`;
      violations.push(
        violation("file_too_large", file.path, limits.maxLinesPerFile, lines, `${label(file, file.path)}: ${what} (limit ${limits.maxLinesPerFile} per file)`),
      );
    }
  }
  if (diff.files.length > limits.maxFiles) {
    const names = diff.files.map((f) => f.path).join(", ");
    violations.push(
      violation("too_many_files", null, limits.maxFiles, diff.files.length, `${diff.files.length} files changed (limit ${limits.maxFiles}): ${names}`),
    );
  }
  const total = diff.files.reduce((sum, file) => sum + linesOf(file), 0);
  if (total > limits.maxTotalLines) {
    const binary = diff.files.filter((f) => f.binary).map((f) => f.path);
    const note = binary.length === 0 ? "" : `, counting each binary file as 1 line (${binary.join(", ")})`;
    violations.push(violation("too_many_lines", null, limits.maxTotalLines, total, `${total} changed lines in total (limit ${limits.maxTotalLines})${note}`));
  }
  return violations;
}

/** Changed lines as the limits count them: added + removed, a binary change as 1. */
export function linesOf(file: FileChange): number {
  return file.binary ? 1 : file.added + file.removed;
}

/** The glob of ALWAYS_PROTECTED or `extra` a path falls under, or null. */
export function protectedGlobOf(file: string, extra: readonly string[] = []): string | null {
  const changed = stripDotSlash(file);
  if (changed.split("/").includes(".git")) return ".git/**";
  return [...ALWAYS_PROTECTED, ...extra].find((glob) => protectedMatcher(glob)(changed)) ?? null;
}

// A rename touches two paths: both must be allowed.
function pathsOf(file: FileChange): string[] {
  return file.status === "renamed" && file.oldPath !== null && file.oldPath !== file.path ? [file.oldPath, file.path] : [file.path];
}

function label(file: FileChange, changed: string): string {
  return file.binary ? `${changed} (binary)` : changed;
}

// Protection errs wide: dot files included, case ignored (`PROGRESS/` is `progress/` on macOS).
function protectedMatcher(glob: string): (file: string) => boolean {
  const pattern = stripDotSlash(glob);
  const regex = new RegExp(globToRegExp(pattern.endsWith("/") ? `${pattern}**` : pattern, { dot: true }).source, "i");
  return (file) => regex.test(file);
}

/** True when `file` is one of the `approved` entries, matched as the limits match them. */
export function isApprovedFile(file: string, approved: readonly string[]): boolean {
  const changed = stripDotSlash(file);
  return approved.some((entry) => stripDotSlash(entry) === changed || approvedMatcher(entry)(changed));
}

// Approval errs narrow: exact names, case-sensitive, and wildcards do not reach dot files.
function approvedMatcher(entry: string): (file: string) => boolean {
  const pattern = stripDotSlash(entry);
  if (pattern.endsWith("/")) {
    const regex = globToRegExp(`${pattern}**`, { dot: false });
    return (file) => regex.test(file);
  }
  if (!isGlob(pattern)) return (file) => file === pattern;
  const regex = globToRegExp(pattern, { dot: false });
  return (file) => regex.test(file);
}

function stripDotSlash(file: string): string {
  return file.replace(/^(?:\.\/)+/, "");
}

function violation(code: LimitViolation["code"], file: string | null, limit: number | null, actual: number | null, message: string): LimitViolation {
  return { code, file, limit, actual, message };
}
