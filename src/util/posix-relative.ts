// `to` relative to `from` with `/` separators whatever the platform: how reports, audit paths and
// globs name a workspace file.
import path from "node:path";

export function posixRelative(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join("/");
}
