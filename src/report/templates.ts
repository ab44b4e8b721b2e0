// Templates are files: the package's own under templates/, overridden by a file of the same name
// in the workspace's templates/ folder. Rendered with Mustache, without HTML escaping.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Mustache from "mustache";

export type TemplateName =
  | "analysis-prompt.md"
  | "result.md"
  | "diagnosis-prompt.md"
  | "patch-prompt.md"
  | "repair-prompt.md"
  | "patch-report.md"
  | "diagnosis-report.md"
  | "plan-prompt.md"
  | "plan.md"
  | "plan-step.md"
  | "plan-run-report.md"
  | "digest.md";

/** The templates folder shipped with the package (dist/report/ → ../../templates). */
export const PACKAGE_TEMPLATES = fileURLToPath(new URL("../../templates/", import.meta.url));

export async function loadTemplate(name: TemplateName, workspaceTemplates: string): Promise<string> {
  try {
    return await readFile(path.join(workspaceTemplates, `codex-relay-${name}`), "utf8");
  } catch {
    return readFile(path.join(PACKAGE_TEMPLATES, name), "utf8"); // no override: the shipped one
  }
}

export function renderTemplate(template: string, view: object): string {
  return Mustache.render(template, view, undefined, { escape: (text: string) => text });
}
