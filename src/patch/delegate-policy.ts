// The delegate policy (`[approval] level = "delegate"`): may the relay approve the patch a diagnosis
// asks for, in a person's place? Only when the diagnosis needs write access, names the files it
// expects to change, every one of them matches `approval.auto_files`, none matches
// `approval.halt_on`, and the change fits the patch limits (file count, protected paths,
// dependency files). Pure; every reason it says no is returned, so a person sees them all at once.
import type { Config } from "../config/schema.js";
import type { Diagnosis } from "../protocol/diagnosis.js";
import { TASK_PACKET_FILE } from "../protocol/layout.js";
import { normalizeApprovedPath } from "../protocol/route-decision.js";
import { globToRegExp, isGlob } from "../security/glob.js";
import { isDependencyFile } from "./dependency-files.js";
import { protectedGlobOf } from "./limits.js";

/** What the route decision the policy writes says approved it. */
export const DELEGATE_APPROVER = "codex-relay (delegate policy)";

export type DelegateVerdict =
  | { readonly approve: true; readonly files: readonly string[] }
  | { readonly approve: false; readonly reasons: readonly string[] };

/** `verified`: the task packet lists verification commands (a patch the relay approves must be checked). */
export function delegateVerdict(diagnosis: Diagnosis, config: Pick<Config, "approval" | "patch">, verified: boolean): DelegateVerdict {
  const { auto_files: autoFiles, halt_on: haltOn } = config.approval;
  if (!diagnosis.needs_write) return { approve: false, reasons: ["the diagnosis says no file needs to change (needs_write: false)"] };
  const reasons: string[] = [];
  if (!verified) reasons.push(`${TASK_PACKET_FILE} lists no verification commands: the policy approves only a patch that is verified`);
  const files: string[] = [];
  for (const { path: named } of diagnosis.files_to_change) {
    const normalized = normalizeApprovedPath(named);
    if (!normalized.ok) reasons.push(normalized.reason);
    else if (normalized.path === "" || isGlob(normalized.path) || normalized.path.endsWith("/**")) reasons.push(`\`${named}\` is not one file; the policy approves files by name`);
    else if (!files.includes(normalized.path)) files.push(normalized.path);
  }
  if (diagnosis.files_to_change.length === 0) reasons.push("the diagnosis names no file it expects to change");
  for (const file of files) {
    const halt = haltOn.find((glob) => haltMatches(glob, file));
    if (halt !== undefined) reasons.push(`\`${file}\` matches approval.halt_on \`${halt}\`: it always needs a person`);
    if (!autoFiles.some((glob) => autoMatches(glob, file))) reasons.push(`\`${file}\` matches no approval.auto_files glob`);
    const kept = protectedGlobOf(file, config.patch.protected);
    if (kept !== null) reasons.push(`\`${file}\` is a protected path (\`${kept}\`): no patch may change it`);
    if (isDependencyFile(file) && !config.patch.allow_dependency_changes) reasons.push(`\`${file}\` declares dependencies (patch.allow_dependency_changes is false)`);
  }
  if (files.length > config.patch.max_files) reasons.push(`the diagnosis expects ${files.length} files to change; patch.max_files is ${config.patch.max_files}`);
  return reasons.length === 0 ? { approve: true, files } : { approve: false, reasons };
}

// halt_on errs wide, like protected paths: dot files included, case ignored, and a glob without a
// slash matches that name in any folder (`package.json` also halts `web/package.json`).
function haltMatches(glob: string, file: string): boolean {
  const pattern = glob.replace(/^(?:\.\/)+/, "");
  const anywhere = pattern.includes("/") ? pattern : `**/${pattern}`;
  return new RegExp(globToRegExp(anywhere.endsWith("/") ? `${anywhere}**` : anywhere, { dot: true }).source, "i").test(file);
}

// auto_files errs narrow, like approved files: case-sensitive, and wildcards do not reach dot files.
function autoMatches(glob: string, file: string): boolean {
  const pattern = glob.replace(/^(?:\.\/)+/, "");
  return globToRegExp(pattern.endsWith("/") ? `${pattern}**` : pattern, { dot: false }).test(file);
}
