import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
// Plain git as the Builder runs it (hooks live), committing as the Builder unless `identity: false`.
import { gitdir, identityEnv, isolateGitHome, userGit as git } from "../helpers/gitdir.js";
import { testdir } from "../helpers/testdir.js";
import { AUDIT_BRANCH, auditedIds, commitToAudit } from "../../src/git/audit-branch.js";

const rootDir = isolateGitHome("relay-audit-");

async function initRepo(options: { commit?: boolean } = {}): Promise<string> {
  const files = { "app.txt": "line 1\nline 2\n", "lib.txt": "lib\n" };
  const repo = await gitdir({ parent: rootDir(), prefix: "repo-", ...(options.commit === false ? { commit: false } : { files, commit: "initial" }) });
  git(repo, ["config", "user.useConfigOnly", "true"]);
  return repo;
}

const file = (id: string, name: string, content: string | Buffer) => ({
  path: `delegations/${id}/${name}`,
  content,
});
const exists = (p: string) => readFile(p).then(() => true, () => false);
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** Everything the Builder could notice: status, index bytes, HEAD, working files, .git state files. */
async function snapshot(repo: string): Promise<Record<string, string>> {
  const state: Record<string, string> = {
    status: git(repo, ["--no-optional-locks", "status", "--porcelain=v2", "--branch", "--untracked-files=all"]),
    head: headCommit(repo),
    headFile: await readFile(path.join(repo, ".git", "HEAD"), "utf8"),
    refs: git(repo, ["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"]).replace(
      /^refs\/heads\/codex-relay\/audit .*\n/m,
      "",
    ),
  };
  const indexPath = path.join(repo, ".git", "index");
  state.index = (await exists(indexPath)) ? sha(await readFile(indexPath)) : "absent";
  const walk = async (dir: string, skip: (rel: string) => boolean): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(repo, full);
      if (skip(rel)) continue;
      if (entry.isDirectory()) await walk(full, skip);
      else state[`file:${rel}`] = sha(await readFile(full));
    }
  };
  await walk(repo, (rel) => rel === ".git");
  // Operation state (rebase-merge/, MERGE_HEAD, ORIG_HEAD …); objects, refs and logs legitimately grow.
  await walk(path.join(repo, ".git"), (rel) =>
    ["objects", "refs", "logs", "index", "hooks"].some((name) => rel === path.join(".git", name)),
  );
  return state;
}

function headCommit(repo: string): string {
  try {
    return git(repo, ["rev-parse", "--verify", "HEAD"]);
  } catch {
    return "unborn"; // rev-parse fails on a repository without commits
  }
}

/** The identity and date audit commits carry, as git's environment. */
function gitIdentity(now: Date): Record<string, string> {
  const date = `${now.getTime() / 1000} +0000`;
  return { ...identityEnv("codex-relay", "codex-relay@localhost"), GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
}

async function auditLog(repo: string): Promise<string[]> {
  return git(repo, ["log", "--format=%H", AUDIT_BRANCH]).trim().split("\n");
}

describe("commitToAudit", () => {
  let repo: string;
  beforeEach(async () => {
    repo = await initRepo();
  });

  it("commits the files onto codex-relay/audit as codex-relay, without any git identity configured", async () => {
    expect(() => git(repo, ["commit", "--allow-empty", "-q", "-m", "x"], { identity: false })).toThrow(
      /identity|tell me who you are/i,
    );
    const now = new Date("2025-11-28T14:30:22Z");
    const outcome = await commitToAudit({
      workspace: repo,
      files: [
        file("20251128_143022", "CODEX_DELEGATION_REQUEST_20251128_143022.md", "## Issue\nboom\n"),
        file("20251128_143022", "CODEX_DELEGATION_RESULT_20251128_143022.json", '{"status":"completed"}\n'),
      ],
      message: "audit: 20251128_143022 completed\n\nkind: analysis",
      now,
    });

    expect(outcome).toEqual({ commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const commit = (outcome as { commit: string }).commit;
    expect(git(repo, ["rev-parse", AUDIT_BRANCH]).trim()).toBe(commit);
    const seconds = now.getTime() / 1000;
    expect(git(repo, ["log", "--format=%an <%ae>|%cn <%ce>|%at|%ct|%P", AUDIT_BRANCH])).toBe(
      `codex-relay <codex-relay@localhost>|codex-relay <codex-relay@localhost>|${seconds}|${seconds}|\n`,
    );
    expect(git(repo, ["log", "-1", "--format=%B", AUDIT_BRANCH])).toBe(
      "audit: 20251128_143022 completed\n\nkind: analysis\n\n",
    );
    expect(git(repo, ["ls-tree", "-r", "--name-only", AUDIT_BRANCH])).toBe(
      "delegations/20251128_143022/CODEX_DELEGATION_REQUEST_20251128_143022.md\n" +
        "delegations/20251128_143022/CODEX_DELEGATION_RESULT_20251128_143022.json\n",
    );
    expect(
      git(repo, ["show", `${AUDIT_BRANCH}:delegations/20251128_143022/CODEX_DELEGATION_REQUEST_20251128_143022.md`]),
    ).toBe("## Issue\nboom\n");
    expect(git(repo, ["rev-parse", "--abbrev-ref", "HEAD"]).trim()).toBe("main");
    expect((await readdir(path.join(repo, ".git"))).filter((n) => n.startsWith("codex-relay-audit"))).toEqual([]);
  });

  it("accumulates: a second commit keeps the earlier files and has the first as parent", async () => {
    const first = await commitToAudit({ workspace: repo, files: [file("a", "A.md", "a\n")], message: "one" });
    const second = await commitToAudit({
      workspace: repo,
      files: [file("b", "B.md", "b\n"), file("a", "A.md", "a, revised\n")],
      message: "two",
    });

    expect(await auditLog(repo)).toEqual([(second as { commit: string }).commit, (first as { commit: string }).commit]);
    expect(git(repo, ["ls-tree", "-r", "--name-only", AUDIT_BRANCH])).toBe("delegations/a/A.md\ndelegations/b/B.md\n");
    expect(git(repo, ["show", `${AUDIT_BRANCH}:delegations/a/A.md`])).toBe("a, revised\n");
    expect(git(repo, ["show", `${AUDIT_BRANCH}~1:delegations/a/A.md`])).toBe("a\n");
  });

  it("builds the very commit that read-tree, update-index and commit-tree build, and moves no other ref", async () => {
    const now = new Date("2025-11-28T14:30:22Z");
    const first = await commitToAudit({ workspace: repo, files: [file("a", "A.md", "a\n")], message: "one", now });
    const refsBefore = git(repo, ["for-each-ref", "--format=%(refname) %(objectname)"]).replace(/^refs\/heads\/codex-relay\/audit .*\n/m, "");
    const files = [file("b", "B with spaces é.md", "b\n"), file("b", "blob.bin", Buffer.from([0, 255, 10])), file("a", "A.md", "a, revised\n")];
    const second = await commitToAudit({ workspace: repo, files, message: "two\n\nbody", now });

    // The plumbing the audit branch was first written with, by hand, on the same parent.
    const index = path.join(await testdir({}, { parent: rootDir(), prefix: "index-" }), "index");
    const env = { GIT_INDEX_FILE: index, ...gitIdentity(now) };
    git(repo, ["read-tree", `${(first as { commit: string }).commit}^{tree}`], { env });
    const entries = files
      .map((f) => {
        const blob = execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: repo, input: f.content }).toString().trim();
        return `100644 blob ${blob}\t${f.path}\n`;
      })
      .join("");
    execFileSync("git", ["update-index", "--add", "--replace", "--index-info"], { cwd: repo, env: { ...process.env, ...env }, input: entries });
    const tree = git(repo, ["write-tree"], { env }).trim();
    const expected = execFileSync("git", ["commit-tree", tree, "-p", (first as { commit: string }).commit, "-F", "-"], {
      cwd: repo,
      env: { ...process.env, ...env },
      input: "two\n\nbody\n",
    }).toString().trim();

    expect(second).toEqual({ commit: expected });
    expect(git(repo, ["rev-parse", AUDIT_BRANCH]).trim()).toBe(expected);
    expect(git(repo, ["for-each-ref", "--format=%(refname) %(objectname)"]).replace(/^refs\/heads\/codex-relay\/audit .*\n/m, "")).toBe(refsBefore);
    expect((await readdir(path.join(repo, ".git"))).filter((n) => n.startsWith("fast_import"))).toEqual([]);
  });

  it("stores Buffer content byte for byte", async () => {
    const bytes = Buffer.from([0, 255, 13, 10, 1, 2, 0x1b, 10]);
    await commitToAudit({ workspace: repo, files: [file("bin", "blob.bin", bytes)], message: "bin" });
    const stored = execFileSync("git", ["cat-file", "blob", `${AUDIT_BRANCH}:delegations/bin/blob.bin`], { cwd: repo });
    expect(stored.equals(bytes)).toBe(true);
  });

  it("leaves a dirty tree, its index and HEAD byte-identical", async () => {
    await writeFile(path.join(repo, "app.txt"), "line 1 changed\nline 2\n"); // modified, unstaged
    await writeFile(path.join(repo, "lib.txt"), "lib staged\n");
    git(repo, ["add", "lib.txt"]); // staged
    await writeFile(path.join(repo, "lib.txt"), "lib staged then edited\n");
    await writeFile(path.join(repo, "scratch.txt"), "untracked\n"); // untracked
    const before = await snapshot(repo);
    expect(before.status).toContain("? scratch.txt");

    await commitToAudit({ workspace: repo, files: [file("d", "R.md", "r\n")], message: "dirty" });

    expect(await snapshot(repo)).toEqual(before);
    expect(await auditLog(repo)).toHaveLength(1);
  });

  it("leaves a rebase stopped on a conflict exactly as it was", async () => {
    git(repo, ["checkout", "-q", "-b", "topic"]);
    await writeFile(path.join(repo, "app.txt"), "topic\n");
    git(repo, ["commit", "-q", "-am", "topic change"]);
    git(repo, ["checkout", "-q", "main"]);
    await writeFile(path.join(repo, "app.txt"), "main\n");
    git(repo, ["commit", "-q", "-am", "main change"]);
    git(repo, ["checkout", "-q", "topic"]);
    expect(() => git(repo, ["rebase", "main"])).toThrow();
    const before = await snapshot(repo);
    expect(before["file:.git/rebase-merge/head-name"]).toBeDefined();

    await commitToAudit({ workspace: repo, files: [file("r", "R.md", "r\n")], message: "mid-rebase" });

    expect(await snapshot(repo)).toEqual(before);
    expect(git(repo, ["status"])).toContain("rebase in progress");
  });

  it("leaves a merge stopped on a conflict exactly as it was", async () => {
    git(repo, ["checkout", "-q", "-b", "topic"]);
    await writeFile(path.join(repo, "app.txt"), "topic\n");
    git(repo, ["commit", "-q", "-am", "topic change"]);
    git(repo, ["checkout", "-q", "main"]);
    await writeFile(path.join(repo, "app.txt"), "main\n");
    git(repo, ["commit", "-q", "-am", "main change"]);
    expect(() => git(repo, ["merge", "topic"])).toThrow();
    const before = await snapshot(repo);
    expect(before["file:.git/MERGE_HEAD"]).toBeDefined();

    await commitToAudit({ workspace: repo, files: [file("m", "M.md", "m\n")], message: "mid-merge" });

    expect(await snapshot(repo)).toEqual(before);
  });

  it("leaves a detached HEAD detached at the same commit", async () => {
    git(repo, ["checkout", "-q", "--detach", "HEAD"]);
    const before = await snapshot(repo);

    await commitToAudit({ workspace: repo, files: [file("h", "H.md", "h\n")], message: "detached" });

    expect(await snapshot(repo)).toEqual(before);
    expect(before.headFile).toMatch(/^[0-9a-f]{40}\n$/);
  });

  it("never runs hooks or the fsmonitor", async () => {
    const canary = path.join(rootDir(), `canary-${path.basename(repo)}`);
    const script = `#!/bin/sh\necho "$0" >> "${canary}"\n`;
    for (const hook of ["reference-transaction", "post-commit", "post-index-change", "pre-commit"]) {
      await writeFile(path.join(repo, ".git", "hooks", hook), script);
      await chmod(path.join(repo, ".git", "hooks", hook), 0o755);
    }
    const monitor = path.join(rootDir(), `fsmonitor-${path.basename(repo)}.sh`);
    await writeFile(monitor, script);
    await chmod(monitor, 0o755);
    git(repo, ["config", "core.fsmonitor", monitor]);

    // Control: plain git runs every one of them.
    await writeFile(path.join(repo, "lib.txt"), "lib 2\n");
    git(repo, ["commit", "-q", "-am", "plain"]);
    const fired = await readFile(canary, "utf8");
    for (const name of ["reference-transaction", "post-commit", "post-index-change", "fsmonitor"]) {
      expect(fired).toContain(name);
    }
    await rm(canary);

    await commitToAudit({ workspace: repo, files: [file("k", "K.md", "k\n")], message: "hooks" });

    expect(await exists(canary)).toBe(false);
    expect(await auditLog(repo)).toHaveLength(1);
  });

  it("keeps a message with shell metacharacters verbatim and runs nothing", async () => {
    const canaryA = path.join(rootDir(), `shell-a-${path.basename(repo)}`);
    const canaryB = path.join(rootDir(), `shell-b-${path.basename(repo)}`);
    const message = [
      "audit: $(touch " + canaryA + ")",
      "",
      "`touch " + canaryB + "` ; rm -rf / && echo '\"quoted\"' | cat > /dev/null",
      "-F - --amend $HOME %s %n",
      "\ttabbed line",
    ].join("\n");

    await commitToAudit({ workspace: repo, files: [file("s", "S.md", "s\n")], message });

    expect(git(repo, ["cat-file", "commit", AUDIT_BRANCH]).split("\n\n").slice(1).join("\n\n")).toBe(`${message}\n`);
    expect(await exists(canaryA)).toBe(false);
    expect(await exists(canaryB)).toBe(false);
  });

  it("strips control characters other than newline and tab from the message", async () => {
    await commitToAudit({
      workspace: repo,
      files: [file("c", "C.md", "c\n")],
      message: "red alert\u0007\r\nnext\tline\u0000",
    });
    expect(git(repo, ["log", "-1", "--format=%B", AUDIT_BRANCH])).toBe("red alert\nnext\tline\n\n");
  });

  it("takes whole escape sequences and bidi overrides out of the message, as everywhere else", async () => {
    await commitToAudit({
      workspace: repo,
      files: [file("e", "E.md", "e\n")],
      message: "red \u001b[31malert\u001b[0m \u001b]0;a title\u0007done\nfix \u202eevil\u202c\tok",
    });
    // Before the shared stripper, `[31m`, `[0m` and `]0;a title` stayed behind as text.
    expect(git(repo, ["log", "-1", "--format=%B", AUDIT_BRANCH])).toBe("red alert done\nfix evil\tok\n\n");
  });

  it("does not lose any of 20 concurrent commits", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `20251128_1430${String(i).padStart(2, "0")}`);
    const outcomes = await Promise.all(
      ids.map((id) =>
        commitToAudit({ workspace: repo, files: [file(id, `RESULT_${id}.json`, `{"id":"${id}"}\n`)], message: id }),
      ),
    );

    expect(new Set(outcomes.map((o) => (o as { commit: string }).commit)).size).toBe(20);
    expect(await auditLog(repo)).toHaveLength(20);
    expect(git(repo, ["ls-tree", "-r", "--name-only", AUDIT_BRANCH]).trim().split("\n")).toEqual(
      ids.map((id) => `delegations/${id}/RESULT_${id}.json`),
    );
    expect(git(repo, ["log", "--format=%s", AUDIT_BRANCH]).trim().split("\n").sort()).toEqual(ids);
  });

  it("retries when another writer (a second daemon instance) moves the branch first", async () => {
    // A second module instance has its own queue, so the two race for the ref like two processes.
    vi.resetModules();
    const other = await import("../../src/git/audit-branch.js");
    expect(other.commitToAudit).not.toBe(commitToAudit);
    const ids = Array.from({ length: 8 }, (_, i) => `race_${i}`);
    const outcomes = await Promise.all(
      ids.map((id, i) =>
        (i % 2 === 0 ? commitToAudit : other.commitToAudit)({
          workspace: repo,
          files: [file(id, "R.json", `${id}\n`)],
          message: id,
        }),
      ),
    );

    expect(outcomes.every((o) => "commit" in o)).toBe(true);
    expect(await auditLog(repo)).toHaveLength(8);
    expect(git(repo, ["log", "--format=%s", AUDIT_BRANCH]).trim().split("\n").sort()).toEqual(ids);
    expect(git(repo, ["ls-tree", "-r", "--name-only", AUDIT_BRANCH]).trim().split("\n")).toHaveLength(8);
  });

  it("commits a request once when two writers race to commit it (unlessPresent), and lists the committed ids", async () => {
    // Two module instances race for the ref like two processes (a daemon's catch-up and `codex-relay run`).
    vi.resetModules();
    const other = await import("../../src/git/audit-branch.js");
    const commitBoth = (id: string) =>
      Promise.all(
        [commitToAudit, other.commitToAudit, commitToAudit, other.commitToAudit].map((commit) =>
          commit({ workspace: repo, files: [file(id, "R.json", `${id}\n`)], message: `delegation ${id}`, unlessPresent: `delegations/${id}` }),
        ),
      );
    const outcomes = [...(await commitBoth("twice_1")), ...(await commitBoth("twice_2"))];

    expect(outcomes.filter((o) => "commit" in o)).toHaveLength(2);
    expect(outcomes.filter((o) => "skipped" in o)).toHaveLength(6);
    expect(git(repo, ["log", "--format=%s", AUDIT_BRANCH]).trim().split("\n").sort()).toEqual(["delegation twice_1", "delegation twice_2"]);
    expect(await auditedIds(repo)).toEqual(new Set(["twice_1", "twice_2"]));
  });

  it("commits on the remembered tip only while it is current: another writer's commit, a deleted branch", async () => {
    const first = await commitToAudit({ workspace: repo, files: [file("a", "A.md", "a\n")], message: "a", unlessPresent: "delegations/a" });
    // Another process (its own module instance, its own memory) moves the branch past what this one remembers.
    vi.resetModules();
    const other = await import("../../src/git/audit-branch.js");
    const theirs = await other.commitToAudit({ workspace: repo, files: [file("ext", "E.md", "e\n")], message: "ext" });

    const again = await commitToAudit({ workspace: repo, files: [file("ext", "E2.md", "e2\n")], message: "ext again", unlessPresent: "delegations/ext" });
    const ours = await commitToAudit({ workspace: repo, files: [file("b", "B.md", "b\n")], message: "b", unlessPresent: "delegations/b" });

    expect(again).toEqual({ skipped: `delegations/ext is already on ${AUDIT_BRANCH}` });
    const [b, ext, a] = await auditLog(repo);
    expect([b, ext, a]).toEqual([(ours as { commit: string }).commit, (theirs as { commit: string }).commit, (first as { commit: string }).commit]);
    expect(git(repo, ["rev-parse", `${b}^`]).trim()).toBe(ext);
    expect(git(repo, ["ls-tree", "-r", "--name-only", AUDIT_BRANCH]).trim().split("\n")).toEqual(["delegations/a/A.md", "delegations/b/B.md", "delegations/ext/E.md"]);

    // The branch deleted behind this process's back: a request it remembers committing is committed again, not skipped.
    git(repo, ["update-ref", "-d", `refs/heads/${AUDIT_BRANCH}`]);
    const redo = await commitToAudit({ workspace: repo, files: [file("a", "A.md", "a\n")], message: "a again", unlessPresent: "delegations/a" });
    expect(redo).toHaveProperty("commit");
    expect(await auditLog(repo)).toEqual([(redo as { commit: string }).commit]);
  });

  it("refuses an unlessPresent that is not a request's folder", async () => {
    const attempt = commitToAudit({ workspace: repo, files: [file("x", "X.md", "x\n")], message: "x", unlessPresent: "delegations/x/X.md" });
    await expect(attempt).rejects.toThrow("unlessPresent must name delegations/<id>");
    expect(git(repo, ["branch", "--list", AUDIT_BRANCH])).toBe("");
  });

  it("lists no audited ids before the branch exists, and none outside a git repository", async () => {
    expect(await auditedIds(repo)).toEqual(new Set());
    expect(await auditedIds(await testdir({}, { parent: rootDir(), prefix: "plain-" }))).toBeUndefined();
  });

  it("rejects a tree path that would escape or break the audit tree", async () => {
    for (const bad of ["../x.md", "/abs.md", "a//b.md", "a/.git/config", ""]) {
      const attempt = commitToAudit({ workspace: repo, files: [{ path: bad, content: "x" }], message: "m" });
      await expect(attempt).rejects.toThrow("invalid audit tree path");
    }
    expect(git(repo, ["branch", "--list", AUDIT_BRANCH])).toBe("");
  });
});

describe("commitToAudit outside the usual checkout", () => {
  it("works in a repository with no commits (unborn HEAD) and leaves it unborn", async () => {
    const repo = await initRepo({ commit: false });
    await writeFile(path.join(repo, "new.txt"), "new\n");
    const before = await snapshot(repo);
    expect(before.head).toBe("unborn");
    expect(before.index).toBe("absent");

    const outcome = await commitToAudit({ workspace: repo, files: [file("u", "U.md", "u\n")], message: "unborn" });

    expect(outcome).toHaveProperty("commit");
    expect(git(repo, ["show", `${AUDIT_BRANCH}:delegations/u/U.md`])).toBe("u\n");
    expect(await snapshot(repo)).toEqual(before);
    expect(before.headFile).toBe("ref: refs/heads/main\n");
  });

  it("works from a linked worktree and writes the shared branch", async () => {
    const repo = await initRepo();
    const worktree = path.join(rootDir(), `wt-${path.basename(repo)}`);
    git(repo, ["worktree", "add", "-q", "-b", "feature", worktree]);
    await writeFile(path.join(worktree, "app.txt"), "edited in worktree\n");
    const mainBefore = await snapshot(repo);
    const wtHead = git(worktree, ["rev-parse", "--abbrev-ref", "HEAD"]);
    const wtStatus = git(worktree, ["--no-optional-locks", "status", "--porcelain=v2"]);

    await commitToAudit({ workspace: worktree, files: [file("w", "W.md", "w\n")], message: "from worktree" });

    expect(git(repo, ["show", `${AUDIT_BRANCH}:delegations/w/W.md`])).toBe("w\n");
    expect(await snapshot(repo)).toEqual(mainBefore);
    expect(git(worktree, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe(wtHead);
    expect(git(worktree, ["--no-optional-locks", "status", "--porcelain=v2"])).toBe(wtStatus);
  });

  it("skips a workspace that is not a git repository", async () => {
    const plain = await testdir({}, { parent: rootDir(), prefix: "plain-" });
    const outcome = await commitToAudit({ workspace: plain, files: [file("p", "P.md", "p\n")], message: "p" });
    expect(outcome).toEqual({ skipped: "not a git repository" });
    expect(await readdir(plain)).toEqual([]);
  });
});
