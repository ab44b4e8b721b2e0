// A block of text that `init` owns inside a file the user owns (CLAUDE.md, a Cursor rule,
// .gitignore): found by its begin and end lines, replaced in place, and everything around it kept.
import { readFile, rm, writeFile } from "node:fs/promises";

/** The begin and end lines of one kind of block (a Markdown comment, a .gitignore comment). */
export interface BlockMarkers {
  readonly begin: string;
  readonly end: string;
}

/** `body` between the markers, with a trailing newline: what `upsertBlock` writes. */
export function renderBlock(markers: BlockMarkers, body: string): string {
  return `${markers.begin}\n${body.trim()}\n${markers.end}\n`;
}

/**
 * Put `block` (from renderBlock) in `file`: replace an earlier one in place, or append it after a
 * blank line. `head` is what a new file starts with before the block (a Cursor rule's front matter).
 */
export async function upsertBlock(file: string, markers: BlockMarkers, block: string, head = ""): Promise<"added" | "updated" | undefined> {
  const text = await readFile(file, "utf8").catch(() => "");
  const begin = text.indexOf(markers.begin);
  const end = text.indexOf(markers.end, begin);
  if (begin !== -1 && end !== -1) {
    const next = text.slice(0, begin) + block + text.slice(end + markers.end.length).replace(/^\n/, "");
    if (next === text) return undefined;
    await writeFile(file, next);
    return "updated";
  }
  await writeFile(file, text ? `${text.replace(/\n*$/, "\n\n")}${block}` : `${head}${block}`);
  return "added";
}

/** Take an earlier block out of `file`, keeping the rest; the file goes if nothing else is left. */
export async function removeBlock(file: string, markers: BlockMarkers): Promise<boolean> {
  const text = await readFile(file, "utf8").catch(() => "");
  const begin = text.indexOf(markers.begin);
  const end = text.indexOf(markers.end, begin);
  if (begin === -1 || end === -1) return false;
  const [before, after] = [text.slice(0, begin).trimEnd(), text.slice(end + markers.end.length).replace(/^\n+/, "")];
  const rest = before && after ? `${before}\n\n${after}` : before ? `${before}\n` : after;
  if (rest.trim()) await writeFile(file, rest);
  else await rm(file);
  return true;
}
