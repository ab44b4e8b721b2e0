// A tiny glob matcher for posix paths: `*` and `?` within one segment, `**` across segments.
// Enough for request file lists (`src/*.ts`, `alembic/versions/*.py`) and the secret deny-list,
// without a dependency. `[` is literal on purpose: `app/[id]/page.tsx` is a real file name.

export interface GlobOptions {
  /** Whether `*`, `?` and `**` match names that start with a dot. */
  readonly dot: boolean;
}

/** Whether a requested path should be expanded as a glob rather than read as one file. */
export function isGlob(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// One segment without `**`: `*` → any run of non-slash characters, `?` → one.
function segmentSource(segment: string, dot: boolean): string {
  let source = "";
  for (const char of segment) {
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += escapeRegExp(char);
  }
  // A wildcard at the start of a segment does not match a leading dot unless asked to.
  if (!dot && (segment.startsWith("*") || segment.startsWith("?"))) source = `(?!\\.)${source}`;
  return source;
}

/** The regular expression for a whole-path glob; matches the full path, posix separators. */
export function globToRegExp(pattern: string, options: GlobOptions): RegExp {
  const segments = normalizeSegments(pattern);
  const anySegment = options.dot ? "[^/]+" : "(?!\\.)[^/]+";
  let source = "";
  let slashPending = false;
  segments.forEach((segment, index) => {
    const slash = slashPending ? "/" : "";
    const last = index === segments.length - 1;
    if (segment === "**" && last) {
      // `**` alone matches every path; `a/**` matches a and everything under it.
      source += index === 0 ? `${anySegment}(?:/${anySegment})*` : `(?:/${anySegment})*`;
    } else if (segment === "**") {
      // `a/**/b` matches a/b, a/x/b, a/x/y/b: zero or more whole segments, each with its slash.
      source += `${slash}(?:${anySegment}/)*`;
      slashPending = false;
      return;
    } else {
      source += slash + segmentSource(segment, options.dot);
    }
    slashPending = true;
  });
  return new RegExp(`^${source}$`);
}

// Segments without empty or `.` parts, and with repeated `**` collapsed.
function normalizeSegments(pattern: string): string[] {
  const out: string[] = [];
  for (const segment of pattern.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "**" && out[out.length - 1] === "**") continue;
    out.push(segment);
  }
  return out;
}

/**
 * Where to start walking for a glob: the fixed leading directories (before the first wildcard
 * segment), and how many levels below them a match can lie (Infinity with `**`).
 */
export function globWalkPlan(pattern: string): { base: string; depth: number } {
  const segments = normalizeSegments(pattern);
  const firstWild = segments.findIndex((segment) => isGlob(segment));
  if (firstWild === -1) return { base: segments.join("/"), depth: 0 };
  const rest = segments.slice(firstWild);
  return {
    base: segments.slice(0, firstWild).join("/"),
    depth: rest.includes("**") ? Number.POSITIVE_INFINITY : rest.length,
  };
}
