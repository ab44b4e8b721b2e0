// Embedding the files a request lists, safely (PROTOCOL.md §2 "Files listed in a request").
// Every path is checked lexically and by realpath against the workspace and the secret deny-list
// before a single byte of it is read; the read itself re-checks that the opened file is the one
// that was checked, so a symlink swapped in between cannot smuggle another file in.
import { constants, promises as fs } from "node:fs";
import type { Dirent, Stats } from "node:fs";
import path from "node:path";
import { RelayError } from "../errors.js";
import { errnoCode, isNotFound } from "../util/not-found.js";
import { posixRelative } from "../util/posix-relative.js";
import { globToRegExp, globWalkPlan, isGlob } from "./glob.js";

/** Secret files never embedded, whatever the request says; the config's `deny` adds to these. */
export const DEFAULT_SECRET_DENY: readonly string[] = Object.freeze([
  ".env",
  ".env.*",
  "*.pem",
  "*.key",
  "id_rsa*",
  "id_ed25519*",
  "*.p12",
  "*.pfx",
  ".npmrc",
  ".netrc",
  "credentials.json",
]);

export interface EmbeddedFile {
  /** Workspace-relative, posix separators, as requested (a symlink keeps its own name). */
  path: string;
  /** UTF-8 text, cut on a character boundary when truncated. */
  content: string;
  /** Size of the file on disk; `Buffer.byteLength(content)` is what was embedded. */
  bytes: number;
  truncated: boolean;
  /** Fence language from the extension, "" if unknown. */
  language: string;
}

export interface FileGuardOptions {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
  /** Globs added to DEFAULT_SECRET_DENY. */
  deny: readonly string[];
}

const BINARY_SNIFF_BYTES = 8 * 1024;
const SKIPPED_DIRS = new Set([".git", "node_modules"]);
// A `**` glob in a huge tree stops here rather than walking it all.
const MAX_GLOB_ENTRIES = 50_000;
const LISTED_SKIPS = 10;

interface Root {
  readonly lexical: string;
  readonly real: string;
}

interface Candidate {
  /** How warnings name it: the request's own text, or the glob match. */
  readonly display: string;
  /** Workspace-relative posix path (lexical). */
  readonly rel: string;
}

/** Reads the files a request lists, returning what may be embedded and a warning for the rest. */
export async function readRequestedFiles(
  workspace: string,
  requested: readonly string[],
  options: FileGuardOptions,
): Promise<{ files: EmbeddedFile[]; warnings: string[] }> {
  const root = await resolveRoot(workspace);
  const denied = compileDeny([...DEFAULT_SECRET_DENY, ...options.deny]);
  const warnings = new Set<string>();
  const warn = (message: string): void => void warnings.add(message);

  const candidates: Candidate[] = [];
  for (const raw of requested) {
    const entry = raw.trim();
    if (entry === "") continue;
    const rel = lexicalRel(root, entry);
    if (rel === undefined) {
      warn(`outside the workspace: ${entry}`);
    } else if (isGlob(rel)) {
      const matches = await expandGlob(root, rel, entry, warn);
      for (const match of matches) candidates.push({ display: match, rel: match });
    } else {
      candidates.push({ display: entry, rel });
    }
  }

  const files: EmbeddedFile[] = [];
  const seen = new Set<string>();
  const overCount: string[] = [];
  const overTotal: string[] = [];
  let total = 0;

  for (const candidate of candidates) {
    const checked = await checkPath(root, candidate, denied, warn);
    if (checked === undefined || seen.has(checked.real)) continue;
    seen.add(checked.real);

    if (files.length >= options.maxFiles) {
      overCount.push(candidate.display);
      continue;
    }
    const remaining = options.maxTotalBytes - total;
    if (remaining <= 0) {
      overTotal.push(candidate.display);
      continue;
    }

    const read = await readChecked(checked.real, checked.stats, Math.min(options.maxFileBytes, remaining));
    if (read === "changed") {
      warn(`file changed while it was being read, not embedded: ${candidate.display}`);
      continue;
    }
    if (read === "binary") {
      warn(`binary file not embedded: ${candidate.display}`);
      continue;
    }
    if (read.embeddedBytes === 0 && read.truncated) {
      overTotal.push(candidate.display);
      continue;
    }
    if (read.truncated) warn(`truncated to ${read.embeddedBytes} bytes: ${candidate.display}`);
    total += read.embeddedBytes;
    files.push({
      path: candidate.rel,
      content: read.content,
      bytes: read.size,
      truncated: read.truncated,
      language: languageFor(candidate.rel),
    });
  }

  if (overCount.length > 0) {
    warn(`file limit (${options.maxFiles}) reached, not embedded: ${listSkipped(overCount)}`);
  }
  if (overTotal.length > 0) {
    warn(`total size limit (${options.maxTotalBytes} bytes) reached, not embedded: ${listSkipped(overTotal)}`);
  }
  return { files, warnings: [...warnings] };
}

async function resolveRoot(workspace: string): Promise<Root> {
  const lexical = path.resolve(workspace);
  try {
    return { lexical, real: await fs.realpath(lexical) };
  } catch (error) {
    throw new RelayError("invalid_config", `workspace not found: ${lexical}`, { cause: error });
  }
}

// `target` relative to `dir` in posix form, or undefined when it lies outside `dir`.
function relInside(dir: string, target: string): string | undefined {
  const rel = posixRelative(dir, target);
  return rel === ".." || rel.startsWith("../") || path.isAbsolute(rel) ? undefined : rel;
}

// The requested path relative to the workspace, by its text alone (absolute paths may name the
// workspace by either its given or its real path).
function lexicalRel(root: Root, entry: string): string | undefined {
  const absolute = path.resolve(root.lexical, entry);
  return relInside(root.lexical, absolute) ?? relInside(root.real, path.resolve(root.real, entry));
}

async function checkPath(
  root: Root,
  candidate: Candidate,
  denied: (rel: string) => boolean,
  warn: (message: string) => void,
): Promise<{ real: string; stats: Stats } | undefined> {
  const { display, rel } = candidate;
  if (rel === "") {
    warn(`not a file: ${display}`);
    return undefined;
  }
  if (denied(rel)) {
    warn(`secret file not embedded: ${display}`);
    return undefined;
  }
  let real: string;
  try {
    real = await fs.realpath(path.join(root.real, rel));
  } catch (error) {
    warn(isMissing(error) ? `file not found: ${display}` : `cannot read: ${display}`);
    return undefined;
  }
  const realRel = relInside(root.real, real);
  if (realRel === undefined) {
    warn(`outside the workspace: ${display}`);
    return undefined;
  }
  // A symlink with an innocent name pointing at a secret is still a secret.
  if (denied(realRel)) {
    warn(`secret file not embedded: ${display}`);
    return undefined;
  }
  let stats: Stats;
  try {
    stats = await fs.stat(real);
  } catch (error) {
    warn(isMissing(error) ? `file not found: ${display}` : `cannot read: ${display}`);
    return undefined;
  }
  if (!stats.isFile()) {
    warn(`not a file: ${display}`);
    return undefined;
  }
  return { real, stats };
}

function isMissing(error: unknown): boolean {
  const code = errnoCode(error);
  return isNotFound(error) || code === "ENOTDIR" || code === "ELOOP";
}

interface ReadResult {
  content: string;
  size: number;
  embeddedBytes: number;
  truncated: boolean;
}

// Reads up to `cap` bytes of a checked file. O_NOFOLLOW and the inode comparison make sure it is
// the file that was checked; O_NONBLOCK keeps a FIFO swapped in from hanging the daemon.
async function readChecked(real: string, checked: Stats, cap: number): Promise<ReadResult | "changed" | "binary"> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    // The file vanished or became a symlink after the checks: treat it as changed.
    return "changed";
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.ino !== checked.ino || stats.dev !== checked.dev) return "changed";
    // One byte past the cap tells whether the cut falls inside a multi-byte character.
    const want = Math.min(stats.size, Math.max(cap + 1, BINARY_SNIFF_BYTES));
    const buffer = Buffer.alloc(want);
    let length = 0;
    while (length < want) {
      const { bytesRead } = await handle.read(buffer, length, want - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (buffer.subarray(0, Math.min(length, BINARY_SNIFF_BYTES)).includes(0)) return "binary";
    const size = Math.max(stats.size, length);
    const truncated = size > cap;
    const end = truncated ? utf8Boundary(buffer, Math.min(cap, length)) : length;
    return { content: buffer.toString("utf8", 0, end), size, embeddedBytes: end, truncated };
  } finally {
    await handle.close();
  }
}

// The largest cut <= `cut` that does not split a UTF-8 sequence: back off over continuation
// bytes (10xxxxxx) so the character they belong to is dropped whole.
function utf8Boundary(buffer: Buffer, cut: number): number {
  let end = cut;
  while (end > 0 && cut - end < 4 && ((buffer[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return cut - end < 4 ? end : cut;
}

// Deny globs without a slash match any one segment (a file or a folder name); with a slash they
// match the relative path or one of its leading folders. Case-insensitive: `.ENV` is a secret too.
function compileDeny(patterns: readonly string[]): (rel: string) => boolean {
  const bySegment: RegExp[] = [];
  const byPath: RegExp[] = [];
  for (const raw of patterns) {
    const pattern = raw.trim().replace(/^(?:\.\/|\/)+/, "");
    if (pattern === "") continue;
    const regex = new RegExp(globToRegExp(pattern, { dot: true }).source, "i");
    (pattern.includes("/") ? byPath : bySegment).push(regex);
  }
  return (rel) => {
    const segments = rel.split("/");
    if (segments.some((segment) => bySegment.some((regex) => regex.test(segment)))) return true;
    for (let index = 1; index <= segments.length; index += 1) {
      const prefix = segments.slice(0, index).join("/");
      if (byPath.some((regex) => regex.test(prefix))) return true;
    }
    return false;
  };
}

// Expands a workspace-relative glob to the regular files (or file symlinks) it matches, sorted.
// Symlinked folders are never entered: a link may lead outside the workspace or into a loop.
async function expandGlob(
  root: Root,
  pattern: string,
  display: string,
  warn: (message: string) => void,
): Promise<string[]> {
  const plan = globWalkPlan(pattern);
  const matcher = globToRegExp(pattern, { dot: false });
  let baseReal: string;
  try {
    baseReal = await fs.realpath(path.join(root.real, plan.base));
  } catch {
    warn(`no files match: ${display}`);
    return [];
  }
  if (relInside(root.real, baseReal) === undefined) {
    warn(`outside the workspace: ${display}`);
    return [];
  }

  // Like a shell, wildcards skip dot names; walking into .venv or .cache only costs time then.
  const enterDotDirs = /(?:^|\/)\./.test(pattern);
  const matches: string[] = [];
  let visited = 0;
  const walk = async (dir: string, relDir: string, depthLeft: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      warn(`cannot read directory: ${relDir === "" ? "." : relDir}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (++visited > MAX_GLOB_ENTRIES) return;
      const rel = relDir === "" ? entry.name : `${relDir}/${entry.name}`;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        const skip = SKIPPED_DIRS.has(entry.name) || (!enterDotDirs && entry.name.startsWith("."));
        if (!skip && depthLeft > 1) await walk(full, rel, depthLeft - 1);
      } else if (matcher.test(rel) && (entry.isFile() || (entry.isSymbolicLink() && (await isFileLink(full))))) {
        matches.push(rel);
      }
    }
  };
  await walk(baseReal, plan.base, plan.depth);
  if (visited > MAX_GLOB_ENTRIES) {
    warn(`glob stopped after ${MAX_GLOB_ENTRIES} entries, some matches may be missing: ${display}`);
  }
  if (matches.length === 0) warn(`no files match: ${display}`);
  return matches;
}

// A symlink that resolves to a file counts as a match; its target is checked like any path later.
async function isFileLink(full: string): Promise<boolean> {
  try {
    return (await fs.stat(full)).isFile();
  } catch {
    // A dangling link matches nothing, as in a shell glob.
    return false;
  }
}

function listSkipped(paths: readonly string[]): string {
  const shown = paths.slice(0, LISTED_SKIPS).join(", ");
  return paths.length > LISTED_SKIPS ? `${shown} (+${paths.length - LISTED_SKIPS} more)` : shown;
}

const LANGUAGES: Readonly<Record<string, string>> = {
  ts: "ts", tsx: "tsx", mts: "ts", cts: "ts", js: "js", jsx: "jsx", mjs: "js", cjs: "js",
  py: "python", pyi: "python", rb: "ruby", go: "go", rs: "rust", java: "java", kt: "kotlin",
  kts: "kotlin", scala: "scala", swift: "swift", c: "c", h: "c", cc: "cpp", cpp: "cpp", cxx: "cpp",
  hpp: "cpp", hh: "cpp", cs: "csharp", fs: "fsharp", php: "php", lua: "lua", r: "r", pl: "perl",
  sh: "bash", bash: "bash", zsh: "zsh", fish: "fish", ps1: "powershell", sql: "sql",
  json: "json", jsonc: "jsonc", json5: "json5", yaml: "yaml", yml: "yaml", toml: "toml",
  ini: "ini", cfg: "ini", xml: "xml", html: "html", htm: "html", css: "css", scss: "scss",
  sass: "sass", less: "less", vue: "vue", svelte: "svelte", md: "markdown", mdx: "mdx",
  txt: "text", graphql: "graphql", gql: "graphql", proto: "protobuf", tf: "hcl", hcl: "hcl",
  dart: "dart", ex: "elixir", exs: "elixir", erl: "erlang", hs: "haskell", ml: "ocaml",
  clj: "clojure", zig: "zig", nim: "nim", jl: "julia", diff: "diff", patch: "diff", csv: "csv",
};

const LANGUAGES_BY_NAME: Readonly<Record<string, string>> = {
  dockerfile: "dockerfile", makefile: "makefile", gnumakefile: "makefile", "cmakelists.txt": "cmake",
  gemfile: "ruby", rakefile: "ruby", justfile: "just",
};

/** The Markdown fence language for a file name, "" when unknown. */
export function languageFor(file: string): string {
  const base = path.posix.basename(file).toLowerCase();
  const byName = LANGUAGES_BY_NAME[base];
  if (byName !== undefined) return byName;
  const dot = base.lastIndexOf(".");
  if (dot <= 0) return "";
  return LANGUAGES[base.slice(dot + 1)] ?? "";
}
