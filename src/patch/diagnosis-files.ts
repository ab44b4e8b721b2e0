// The diagnoses under out/ (PROTOCOL.md §5): which names count, the newest, the nearest to a
// name, and whether a diagnosis recommends a fix.
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { Layout } from "../protocol/layout.js";
import { normalizeNewlines, outlineMarkdown } from "../protocol/markdown-outline.js";
import { isNotFound } from "../util/not-found.js";
import { posixRelative } from "../util/posix-relative.js";

/** `out/codex-diagnosis-YYYYMMDD-HHMMSS.md`; the name sorts in time order. */
export const DIAGNOSIS_FILE = /^codex-diagnosis-\d{8}-\d{6}\.md$/;

/** A diagnosis as the patch uses it: workspace-relative path, text, and the sha256 of that text. */
export interface UsedDiagnosis {
  readonly path: string;
  readonly text: string;
  readonly sha256: string;
}

const FIX_HEADING = /\bfix(?:es|ing)?\b|recommend/i;

/** True when a heading mentions a fix or a recommendation (a heading inside a code block does not count). */
export function recommendsFix(text: string): boolean {
  return outlineMarkdown(normalizeNewlines(text)).sections.some((section) => FIX_HEADING.test(section.title));
}

/** The newest diagnosis by name (workspace-relative and absolute path), or null when out/ has none. */
export async function latestDiagnosis(layout: Layout): Promise<{ path: string; file: string } | null> {
  let names: string[];
  try {
    names = await readdir(layout.out);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  const newest = names.filter((name) => DIAGNOSIS_FILE.test(name)).sort().at(-1);
  if (newest === undefined) return null;
  const file = path.join(layout.out, newest);
  return { path: posixRelative(layout.workspace, file), file };
}

/** Up to three diagnoses in out/ closest in time to the one named (newest first when it has no time). */
export async function nearestDiagnoses(layout: Layout, named: string): Promise<string[]> {
  const names = (await readdir(layout.out).catch(() => [] as string[])).filter((name) => DIAGNOSIS_FILE.test(name));
  const stamp = (name: string) => Number(/(\d{8})-(\d{6})/.exec(name)?.slice(1).join("") ?? Number.NaN);
  const target = stamp(path.posix.basename(named));
  const distance = (name: string) => (Number.isNaN(target) ? -stamp(name) : Math.abs(stamp(name) - target));
  return names
    .sort((a, b) => distance(a) - distance(b) || b.localeCompare(a))
    .slice(0, 3)
    .map((name) => posixRelative(layout.workspace, path.join(layout.out, name)));
}
