import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { DEFAULT_SECRET_DENY, languageFor, readRequestedFiles } from "../../src/security/file-guard.js";
import type { FileGuardOptions } from "../../src/security/file-guard.js";
import { testdir } from "../helpers/testdir.js";

const roomy: FileGuardOptions = { maxFileBytes: 100_000, maxTotalBytes: 1_000_000, maxFiles: 50, deny: [] };

let base: string;
let ws: string;
let outside: string;

async function write(root: string, rel: string, content: string | Buffer): Promise<string> {
  const full = path.join(root, rel);
  await fs.mkdir(path.dirname(full), { recursive: true });
  await fs.writeFile(full, content);
  return full;
}

beforeEach(async () => {
  base = await testdir({}, { prefix: "relay-guard-" });
  ws = path.join(base, "ws");
  outside = path.join(base, "outside");
  await fs.mkdir(ws);
  await fs.mkdir(outside);
  await write(ws, "src/main.py", "print('hi')\n");
  await write(outside, "secret.txt", "TOP SECRET\n");
  await write(outside, "dir/file.txt", "outside dir file\n");
});


async function read(requested: string[], options: Partial<FileGuardOptions> = {}) {
  return readRequestedFiles(ws, requested, { ...roomy, ...options });
}

describe("plain files", () => {
  test("a normal file is embedded with its relative path, size and language", async () => {
    const { files, warnings } = await read(["src/main.py"]);
    expect(warnings).toEqual([]);
    expect(files).toEqual([
      { path: "src/main.py", content: "print('hi')\n", bytes: 12, truncated: false, language: "python" },
    ]);
  });

  test("an absolute path inside the workspace is embedded with a relative path", async () => {
    const { files } = await read([path.join(ws, "src/main.py")]);
    expect(files.map((file) => file.path)).toEqual(["src/main.py"]);
  });

  test("a missing file is a warning with the seed's wording", async () => {
    const { files, warnings } = await read(["src/missing.py", "src/main.py"]);
    expect(files.map((file) => file.path)).toEqual(["src/main.py"]);
    expect(warnings).toEqual(["file not found: src/missing.py"]);
  });

  test("a directory is not a file", async () => {
    const { files, warnings } = await read(["src"]);
    expect(files).toEqual([]);
    expect(warnings).toEqual(["not a file: src"]);
  });

  test("a FIFO is not a file and is never opened", async () => {
    execFileSync("mkfifo", [path.join(ws, "pipe.txt")]);
    const { files, warnings } = await read(["pipe.txt"]);
    expect(files).toEqual([]);
    expect(warnings).toEqual(["not a file: pipe.txt"]);
  });

  test("duplicates are embedded once", async () => {
    const { files, warnings } = await read(["src/main.py", "./src/main.py", path.join(ws, "src/main.py"), "src/*.py"]);
    expect(files.map((file) => file.path)).toEqual(["src/main.py"]);
    expect(warnings).toEqual([]);
  });

  test("an empty file is embedded as empty", async () => {
    await write(ws, "empty.txt", "");
    const { files } = await read(["empty.txt"]);
    expect(files).toEqual([{ path: "empty.txt", content: "", bytes: 0, truncated: false, language: "text" }]);
  });
});

describe("workspace boundary", () => {
  test("../ escapes are refused before reading", async () => {
    const { files, warnings } = await read(["../outside/secret.txt", "src/../../outside/secret.txt"]);
    expect(files).toEqual([]);
    expect(warnings).toEqual([
      "outside the workspace: ../outside/secret.txt",
      "outside the workspace: src/../../outside/secret.txt",
    ]);
  });

  test("an absolute path outside is refused", async () => {
    const target = path.join(outside, "secret.txt");
    const { files, warnings } = await read([target]);
    expect(files).toEqual([]);
    expect(warnings).toEqual([`outside the workspace: ${target}`]);
  });

  test("a symlink to a file outside is refused", async () => {
    await fs.symlink(path.join(outside, "secret.txt"), path.join(ws, "innocent.txt"));
    const { files, warnings } = await read(["innocent.txt"]);
    expect(files).toEqual([]);
    expect(warnings).toEqual(["outside the workspace: innocent.txt"]);
  });

  test("a file under a symlinked folder outside is refused", async () => {
    await fs.symlink(path.join(outside, "dir"), path.join(ws, "linked"));
    const { files, warnings } = await read(["linked/file.txt"]);
    expect(files).toEqual([]);
    expect(warnings).toEqual(["outside the workspace: linked/file.txt"]);
  });

  test("a symlink that stays inside the workspace is fine and keeps its own name", async () => {
    await fs.symlink("src/main.py", path.join(ws, "alias.py"));
    await fs.symlink(path.join(ws, "src"), path.join(ws, "srclink"));
    const { files, warnings } = await read(["alias.py"]);
    expect(warnings).toEqual([]);
    expect(files).toEqual([
      { path: "alias.py", content: "print('hi')\n", bytes: 12, truncated: false, language: "python" },
    ]);
    const viaDir = await read(["srclink/main.py"]);
    expect(viaDir.files.map((file) => file.content)).toEqual(["print('hi')\n"]);
  });

  test("a workspace given through a symlink still accepts its real absolute paths", async () => {
    const linkedWs = path.join(base, "ws-link");
    await fs.symlink(ws, linkedWs);
    const { files, warnings } = await readRequestedFiles(linkedWs, [path.join(ws, "src/main.py"), "src/main.py"], roomy);
    expect(warnings).toEqual([]);
    expect(files.map((file) => file.path)).toEqual(["src/main.py"]);
  });
});

describe("secret deny-list", () => {
  test("defaults cover env files, keys and credentials", () => {
    expect(DEFAULT_SECRET_DENY).toEqual([
      ".env", ".env.*", "*.pem", "*.key", "id_rsa*", "id_ed25519*", "*.p12", "*.pfx", ".npmrc", ".netrc", "credentials.json",
    ]);
  });

  test(".env, .env.local and config/id_rsa are not embedded", async () => {
    await write(ws, ".env", "OPENAI_API_KEY=sk-x\n");
    await write(ws, ".env.local", "A=1\n");
    await write(ws, "config/id_rsa", "KEY\n");
    await write(ws, "certs/server.PEM", "KEY\n");
    const { files, warnings } = await read([".env", ".env.local", "config/id_rsa", "certs/server.PEM", "src/main.py"]);
    expect(files.map((file) => file.path)).toEqual(["src/main.py"]);
    expect(warnings).toEqual([
      "secret file not embedded: .env",
      "secret file not embedded: .env.local",
      "secret file not embedded: config/id_rsa",
      "secret file not embedded: certs/server.PEM",
    ]);
  });

  test("a symlink named notes.txt pointing at .env is denied", async () => {
    await write(ws, ".env", "OPENAI_API_KEY=sk-x\n");
    await fs.symlink(".env", path.join(ws, "notes.txt"));
    const { files, warnings } = await read(["notes.txt"]);
    expect(files).toEqual([]);
    expect(warnings).toEqual(["secret file not embedded: notes.txt"]);
  });

  test("the config's deny globs add to the defaults, by name and by path", async () => {
    await write(ws, "secrets/prod.yaml", "a: 1\n");
    await write(ws, "db.sqlite.bak", "x\n");
    const { files, warnings } = await read(["secrets/prod.yaml", "db.sqlite.bak", "src/main.py"], {
      deny: ["secrets/**", "*.bak"],
    });
    expect(files.map((file) => file.path)).toEqual(["src/main.py"]);
    expect(warnings).toEqual(["secret file not embedded: secrets/prod.yaml", "secret file not embedded: db.sqlite.bak"]);
  });
});

describe("content", () => {
  test("a file with a NUL byte in its first 8 KiB is not embedded", async () => {
    await write(ws, "logo.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    const { files, warnings } = await read(["logo.png"]);
    expect(files).toEqual([]);
    expect(warnings).toEqual(["binary file not embedded: logo.png"]);
  });

  test("binary detection looks at 8 KiB even when the file cap is smaller", async () => {
    await write(ws, "data.txt", Buffer.concat([Buffer.alloc(5000, "a"), Buffer.from([0])]));
    const { warnings } = await read(["data.txt"], { maxFileBytes: 100 });
    expect(warnings).toEqual(["binary file not embedded: data.txt"]);
  });

  test("a large file is truncated on a UTF-8 character boundary", async () => {
    // "ab€": a b E2 82 AC. A 3-byte cap falls inside €, which is dropped whole.
    await write(ws, "euro.md", "ab€cd");
    const { files, warnings } = await read(["euro.md"], { maxFileBytes: 3 });
    expect(files).toEqual([{ path: "euro.md", content: "ab", bytes: 7, truncated: true, language: "markdown" }]);
    expect(warnings).toEqual(["truncated to 2 bytes: euro.md"]);
    const fits = await read(["euro.md"], { maxFileBytes: 5 });
    expect(fits.files[0]?.content).toBe("ab€");
    expect(fits.warnings).toEqual(["truncated to 5 bytes: euro.md"]);
  });

  test("a four-byte character at the cut is dropped whole", async () => {
    await write(ws, "emoji.txt", "x😀y");
    const { files } = await read(["emoji.txt"], { maxFileBytes: 4 });
    expect(files[0]?.content).toBe("x");
  });
});

describe("budgets", () => {
  beforeEach(async () => {
    for (const name of ["a", "b", "c", "d"]) await write(ws, `${name}.txt`, "0123456789");
  });

  test("maxTotalBytes truncates the file that crosses it and skips the rest", async () => {
    const { files, warnings } = await read(["a.txt", "b.txt", "c.txt", "d.txt"], { maxTotalBytes: 25 });
    expect(files.map((file) => [file.path, file.content])).toEqual([
      ["a.txt", "0123456789"],
      ["b.txt", "0123456789"],
      ["c.txt", "01234"],
    ]);
    expect(warnings).toEqual([
      "truncated to 5 bytes: c.txt",
      "total size limit (25 bytes) reached, not embedded: d.txt",
    ]);
  });

  test("maxFiles stops embedding and names what was skipped", async () => {
    const { files, warnings } = await read(["a.txt", "b.txt", "c.txt", "d.txt"], { maxFiles: 2 });
    expect(files.map((file) => file.path)).toEqual(["a.txt", "b.txt"]);
    expect(warnings).toEqual(["file limit (2) reached, not embedded: c.txt, d.txt"]);
  });

  test("refused files do not use up the budget", async () => {
    await write(ws, ".env", "X=1\n");
    const { files } = await read([".env", "missing.txt", "a.txt", "b.txt"], { maxFiles: 2 });
    expect(files.map((file) => file.path)).toEqual(["a.txt", "b.txt"]);
  });
});

describe("globs", () => {
  beforeEach(async () => {
    await write(ws, "src/a.ts", "a");
    await write(ws, "src/b.ts", "b");
    await write(ws, "src/c.js", "c");
    await write(ws, "src/sub/d.ts", "d");
    await write(ws, "alembic/versions/001_init.py", "init");
    await write(ws, "alembic/versions/002_add.py", "add");
    await write(ws, "alembic/env.py", "env");
    await write(ws, "node_modules/pkg/index.ts", "dep");
    await write(ws, ".git/hooks/x.ts", "git");
    await write(ws, "src/server.key", "key");
  });

  test("src/*.ts matches one folder level, sorted", async () => {
    const { files, warnings } = await read(["src/*.ts"]);
    expect(files.map((file) => file.path)).toEqual(["src/a.ts", "src/b.ts"]);
    expect(warnings).toEqual([]);
  });

  test("alembic/versions/*.py, the seed's example", async () => {
    const { files } = await read(["alembic/versions/*.py"]);
    expect(files.map((file) => file.path)).toEqual(["alembic/versions/001_init.py", "alembic/versions/002_add.py"]);
  });

  test("** recurses but skips node_modules and .git", async () => {
    const { files } = await read(["**/*.ts"]);
    expect(files.map((file) => file.path)).toEqual(["src/a.ts", "src/b.ts", "src/sub/d.ts"]);
  });

  test("secret files matched by a glob are reported, not embedded", async () => {
    const { files, warnings } = await read(["src/*"]);
    expect(files.map((file) => file.path)).toEqual(["src/a.ts", "src/b.ts", "src/c.js", "src/main.py"]);
    expect(warnings).toEqual(["secret file not embedded: src/server.key"]);
  });

  test("a glob with no match is a warning", async () => {
    const { files, warnings } = await read(["lib/*.rs", "src/*.rs"]);
    expect(files).toEqual([]);
    expect(warnings).toEqual(["no files match: lib/*.rs", "no files match: src/*.rs"]);
  });

  test("globs never walk through a symlinked folder outside the workspace", async () => {
    await fs.symlink(path.join(outside, "dir"), path.join(ws, "src/linked"));
    await fs.symlink(path.join(outside, "dir"), path.join(ws, "out"));
    const recursive = await read(["**/*.txt"]);
    expect(recursive.files).toEqual([]);
    const direct = await read(["out/*.txt"]);
    expect(direct.files).toEqual([]);
    expect(direct.warnings).toEqual(["outside the workspace: out/*.txt"]);
  });

  test("a glob that escapes the workspace is refused", async () => {
    const { files, warnings } = await read(["../outside/*.txt"]);
    expect(files).toEqual([]);
    expect(warnings).toEqual(["outside the workspace: ../outside/*.txt"]);
  });

  test("a file symlink matched by a glob is still checked", async () => {
    await fs.symlink(path.join(outside, "secret.txt"), path.join(ws, "src/leak.ts"));
    const { files, warnings } = await read(["src/*.ts"]);
    expect(files.map((file) => file.path)).toEqual(["src/a.ts", "src/b.ts"]);
    expect(warnings).toEqual(["outside the workspace: src/leak.ts"]);
  });
});

test("languageFor maps extensions and well-known names to fence languages", () => {
  expect(languageFor("src/a.ts")).toBe("ts");
  expect(languageFor("x/y.PY")).toBe("python");
  expect(languageFor("Dockerfile")).toBe("dockerfile");
  expect(languageFor("README")).toBe("");
  expect(languageFor("weird.zzz")).toBe("");
  expect(languageFor(".bashrc")).toBe("");
});

test("a missing workspace is an error with a code", async () => {
  await expect(readRequestedFiles(path.join(base, "nope"), ["a"], roomy)).rejects.toMatchObject({
    code: "invalid_config",
  });
});
