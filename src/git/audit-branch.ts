// PROTOCOL.md §6: commit finished requests, results and reports onto `codex-relay/audit` with git
// plumbing only (one fast-import stream for blobs, trees and the commit, a compare-and-swap
// update-ref), so HEAD, the Builder's index and working tree, and the repository's hooks are never touched.
import { setTimeout as sleep } from "node:timers/promises";
import { RelayError } from "../errors.js";
import { stripControl } from "../util/control-chars.js";
import { runGit } from "./run-git.js";

export const AUDIT_BRANCH = "codex-relay/audit";
const AUDIT_REF = `refs/heads/${AUDIT_BRANCH}`;
const MAX_ATTEMPTS = 6; // the first try plus 5 retries after losing the ref to another writer
const IDENTITY = { name: "codex-relay", email: "codex-relay@localhost" };

export interface AuditFile {
  /** Path inside the audit tree, posix, e.g. `delegations/<id>/CODEX_DELEGATION_RESULT_<id>.json`. */
  path: string;
  content: string | Buffer;
}

export interface AuditOptions {
  workspace: string;
  files: AuditFile[];
  message: string;
  now?: Date;
  /**
   * A request's folder, `delegations/<id>`: skip the commit when the branch already has it. Checked
   * against the very parent the compare-and-swap expects, so two writers never commit it twice.
   */
  unlessPresent?: string;
}

export type AuditOutcome = { commit: string } | { skipped: string };

// One daemon serves many requests at once; queuing keeps them from racing for the ref (the CAS
// retry below still covers other processes).
let queue: Promise<unknown> = Promise.resolve();

export async function commitToAudit(options: AuditOptions): Promise<AuditOutcome> {
  const run = queue.then(() => commitOnce(options));
  queue = run.catch(() => undefined); // a failed commit must not block the ones after it
  return run;
}

// Every git run is a fork of the daemon (several ms of its CPU each, blocking its event loop): a
// commit takes two, whatever the number of files (fast-import for blobs, trees and the commit,
// update-ref). The branch tip and the ids under `delegations/` in it are kept in memory per git
// directory, read once, and moved along with each commit this process makes; when another writer
// moved the branch meanwhile, update-ref's compare-and-swap fails, the memory is dropped and the
// commit is rebuilt on a fresh read. The git directory is looked up once per workspace.
const gitDirs = new Map<string, string>();

interface KnownTip {
  parent: string | undefined;
  /** `delegations/<id>` for every id in the tip's tree. */
  audited: Set<string>;
}
const knownTips = new Map<string, KnownTip>();

async function commitOnce(options: AuditOptions): Promise<AuditOutcome> {
  const { workspace } = options;
  for (const file of options.files) checkTreePath(file.path);
  if (options.unlessPresent !== undefined) checkRequestPath(options.unlessPresent);
  const gitDir = await gitDirOf(workspace);
  if (gitDir === undefined) return { skipped: "not a git repository" };
  const message = cleanMessage(options.message);
  const now = options.now ?? new Date();
  for (let attempt = 1; ; attempt++) {
    let known = knownTips.get(gitDir);
    knownTips.delete(gitDir); // kept again only once update-ref has moved the branch to where we think it is
    // A remembered tip is trusted to commit on (the compare-and-swap checks it) but never to skip
    // on: the branch may have been rewritten since, and a skipped request would be lost to it.
    if (known === undefined || (options.unlessPresent !== undefined && known.audited.has(options.unlessPresent))) known = await readAuditTip(workspace);
    const { parent } = known;
    if (options.unlessPresent !== undefined && known.audited.has(options.unlessPresent)) {
      knownTips.set(gitDir, known);
      return { skipped: `${options.unlessPresent} is already on ${AUDIT_BRANCH}` };
    }
    const built = await runGit(["fast-import", "--quiet"], { cwd: workspace, input: fastImportStream({ parent, files: options.files, message, now }) });
    const commit = built.stdout.trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new RelayError("internal_error", `git fast-import named no commit in ${workspace}: ${JSON.stringify(commit.slice(0, 200))}`);
    const expected = parent ?? "0".repeat(commit.length); // zero id: the branch must not exist yet
    const update = await runGit(["update-ref", "-m", "codex-relay audit", AUDIT_REF, commit, expected], { cwd: workspace, allowFailure: true });
    if (update.exitCode === 0) {
      // The set is this commit's alone now (taken out of the map above): grow it in place, not copy it (it holds the whole history).
      for (const file of options.files) for (const request of requestPathOf(file.path)) known.audited.add(request);
      knownTips.set(gitDir, { parent: commit, audited: known.audited });
      return { commit };
    }
    if (attempt >= MAX_ATTEMPTS) {
      throw new RelayError(
        "internal_error",
        `could not update ${AUDIT_REF} in ${workspace} after ${attempt} attempts: ${update.stderr.trim()}`,
      );
    }
    // Lost the race (or the remembered tip was stale): rebuild on the new tip. If the ref has not
    // moved yet, another writer holds its lock mid-update; give it a moment.
    if ((await readAuditRef(workspace)) === parent) await sleep(20 * attempt);
  }
}

/**
 * One commit as a fast-import stream: the files inline on top of `parent`'s tree, the identity
 * and date fixed, the message as data; `get-mark` prints the commit's id, `done` guards against
 * a cut-off stream. The closing `reset` leaves the ref alone: fast-import's own update is no
 * compare-and-swap (a writer that built the identical commit would "succeed" too), update-ref's is.
 */
function fastImportStream(commit: { parent: string | undefined; files: readonly AuditFile[]; message: string; now: Date }): Buffer {
  const date = `${Math.floor(commit.now.getTime() / 1000)} +0000`; // git's internal "<epoch> <tz>" format
  const who = `${IDENTITY.name} <${IDENTITY.email}> ${date}`;
  const data = (content: string | Buffer): Buffer[] => {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    return [Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from("\n")];
  };
  return Buffer.concat([
    Buffer.from(`feature done\ncommit ${AUDIT_REF}\nmark :1\nauthor ${who}\ncommitter ${who}\n`),
    ...data(commit.message),
    Buffer.from(commit.parent === undefined ? "" : `from ${commit.parent}\n`),
    ...commit.files.flatMap((file) => [Buffer.from(`M 100644 inline ${file.path}\n`), ...data(file.content)]),
    Buffer.from(`get-mark :1\nreset ${AUDIT_REF}\n\ndone\n`),
  ]);
}

/**
 * The ids under `delegations/` on the audit branch, from one `git ls-tree` (whatever their
 * number); undefined when the workspace is not a git repository. No branch yet: none.
 */
export async function auditedIds(workspace: string): Promise<Set<string> | undefined> {
  if ((await gitDirOf(workspace)) === undefined) return undefined;
  const listing = await runGit(["ls-tree", "-z", "--name-only", AUDIT_REF, "delegations/"], { cwd: workspace, allowFailure: true });
  if (listing.exitCode !== 0) return new Set(); // no audit branch (or no delegations in it) yet
  return new Set(listing.stdout.split("\0").filter(Boolean).map((name) => name.slice("delegations/".length)));
}

/**
 * The paths of every file under `delegations/` on the audit branch, from one `git ls-tree`;
 * undefined when the workspace is not a git repository, empty without a branch.
 */
export async function auditedFiles(workspace: string): Promise<string[] | undefined> {
  if ((await gitDirOf(workspace)) === undefined) return undefined;
  const listing = await runGit(["ls-tree", "-r", "-z", "--name-only", AUDIT_REF, "delegations/"], { cwd: workspace, allowFailure: true });
  if (listing.exitCode !== 0) return []; // no audit branch yet
  return listing.stdout.split("\0").filter(Boolean);
}

/** The text of each of `paths` on the audit branch (a path it lacks is left out), from one `git cat-file --batch`. */
export async function readAuditedFiles(workspace: string, paths: readonly string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const wanted = paths.filter((p) => !/[\n\r]/.test(p)); // one path per input line
  if (wanted.length === 0) return texts;
  const { stdout } = await runGit(["cat-file", "--batch"], { cwd: workspace, input: wanted.map((p) => `${AUDIT_REF}:${p}\n`).join("") });
  // Sizes are in bytes: walk the output as bytes. Each answer: `<oid> <type> <size>\n<content>\n`, or `<name> missing\n`.
  const out = Buffer.from(stdout, "utf8");
  let at = 0;
  for (const p of wanted) {
    const eol = out.indexOf(10, at);
    if (eol < 0) break;
    const header = out.toString("utf8", at, eol).split(" ");
    at = eol + 1;
    if (header.length !== 3 || header[1] === "missing") continue;
    const size = Number(header[2]);
    if (header[1] === "blob") texts.set(p, out.toString("utf8", at, at + size));
    at += size + 1;
  }
  return texts;
}

// The git directory is looked up once per workspace (every git run is a fork of the daemon).
async function gitDirOf(workspace: string): Promise<string | undefined> {
  const known = gitDirs.get(workspace);
  if (known !== undefined) return known;
  const probe = await runGit(["rev-parse", "--path-format=absolute", "--git-common-dir"], { cwd: workspace, allowFailure: true });
  if (probe.exitCode !== 0) {
    if (/not a git repository/i.test(probe.stderr)) return undefined;
    throw new RelayError("internal_error", `cannot find the git directory of ${workspace}: ${probe.stderr.trim()}`);
  }
  const gitDir = probe.stdout.trim();
  gitDirs.set(workspace, gitDir);
  return gitDir;
}

/**
 * The branch tip and the requests in its tree: the tip resolved first, then listed by its id, so
 * the list describes exactly the parent the compare-and-swap will expect.
 */
async function readAuditTip(cwd: string): Promise<KnownTip> {
  const parent = await readAuditRef(cwd);
  if (parent === undefined) return { parent, audited: new Set() };
  const listing = await runGit(["ls-tree", "-z", "--name-only", parent, "delegations/"], { cwd });
  return { parent, audited: new Set(listing.stdout.split("\0").filter(Boolean)) };
}

async function readAuditRef(cwd: string): Promise<string | undefined> {
  const { stdout, exitCode } = await runGit(["rev-parse", "--verify", "--quiet", `${AUDIT_REF}^{commit}`], {
    cwd,
    allowFailure: true,
  });
  return exitCode === 0 ? stdout.trim() : undefined;
}

/** The message as data: escape sequences, bidi overrides and controls other than \n and \t removed, one final newline. */
function cleanMessage(message: string): string {
  const cleaned = stripControl(message.replace(/\r\n?/g, "\n"), /[\n\t]/);
  return `${cleaned.replace(/\n+$/, "")}\n`;
}

// `delegations/<id>/...` → [`delegations/<id>`]: the request a committed file belongs to.
function requestPathOf(treePath: string): string[] {
  const [top, id, ...rest] = treePath.split("/");
  return top === "delegations" && id !== undefined && rest.length > 0 ? [`${top}/${id}`] : [];
}

// unlessPresent names one request's folder: only those are remembered between commits.
function checkRequestPath(treePath: string): void {
  checkTreePath(treePath);
  if (!/^delegations\/[^/]+$/.test(treePath)) throw new RelayError("internal_error", `unlessPresent must name delegations/<id>, got ${JSON.stringify(treePath)}`);
}

// Caller bugs, not user input, but a bad path would land outside `delegations/` or break the tree.
function checkTreePath(treePath: string): void {
  const segments = treePath.split("/");
  const bad =
    treePath === "" ||
    treePath.includes("\\") ||
    treePath.startsWith('"') || // git would read it as a C-quoted path
    /[\u0000-\u001f]/.test(treePath) ||
    segments.some((s) => s === "" || s === "." || s === ".." || s.toLowerCase() === ".git");
  if (bad) throw new RelayError("internal_error", `invalid audit tree path: ${JSON.stringify(treePath)}`);
}
