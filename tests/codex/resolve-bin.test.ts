import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { TESTED_CODEX } from "../../src/codex/tested-range.js";
import { resolveCodexBin } from "../../src/codex/resolve-bin.js";
import { RelayError } from "../../src/errors.js";
import { codexBinary } from "../fixtures/codex-home.js";
import { testdir } from "../helpers/testdir.js";

// The npm launcher of the installed @openai/codex and the native binary it would exec.
const LAUNCHER = fileURLToPath(new URL("../../node_modules/@openai/codex/bin/codex.js", import.meta.url));
const NATIVE = codexBinary();

let base: string;

beforeEach(async () => {
  base = await testdir({}, { prefix: "relay-bin-" });
});


/** A shell script at `rel` under the temp dir, executable unless `mode` says otherwise. */
async function script(rel: string, mode = 0o755): Promise<string> {
  const file = path.join(base, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, "#!/bin/sh\necho fake codex\n");
  await fs.chmod(file, mode);
  return file;
}

async function emptyDir(rel: string): Promise<string> {
  const dir = path.join(base, rel);
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

function thrown(fn: () => unknown): RelayError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RelayError);
    return error as RelayError;
  }
  throw new Error("expected resolveCodexBin to throw");
}

describe("resolveCodexBin: explicit choices", () => {
  it("config `codex.bin` wins over CODEX_BIN and PATH", async () => {
    const configured = await script("configured/codex");
    const fromEnv = await script("env/codex");
    const onPath = await script("path/codex");
    const resolved = resolveCodexBin({ configBin: configured, env: { CODEX_BIN: fromEnv, PATH: path.dirname(onPath) } });
    expect(resolved).toEqual({ path: configured, source: "config" });
  });

  it("CODEX_BIN wins over PATH when the config leaves `bin` empty", async () => {
    const fromEnv = await script("env/my-codex");
    const onPath = await script("path/codex");
    const resolved = resolveCodexBin({ configBin: "", env: { CODEX_BIN: fromEnv, PATH: path.dirname(onPath) } });
    expect(resolved).toEqual({ path: fromEnv, source: "CODEX_BIN" });
  });

  it("an empty CODEX_BIN counts as unset", async () => {
    const onPath = await script("path/codex");
    expect(resolveCodexBin({ configBin: "", env: { CODEX_BIN: "", PATH: path.dirname(onPath) } })).toEqual({ path: onPath, source: "PATH" });
  });

  it("a configured file that is not executable is codex_not_found naming the path, with no fallback to PATH", async () => {
    const notExecutable = await script("configured/codex", 0o644);
    const onPath = await script("path/codex");
    const error = thrown(() => resolveCodexBin({ configBin: notExecutable, env: { PATH: path.dirname(onPath) } }));
    expect(error.code).toBe("codex_not_found");
    expect(error.message).toContain(notExecutable);
    expect(error.message).toContain("`codex.bin` in codex-relay.toml");
    expect(error.hint).toMatch(/codex\.bin/);
  });

  it("a configured path that does not exist is codex_not_found naming it", async () => {
    const missing = path.join(base, "nowhere", "codex");
    const error = thrown(() => resolveCodexBin({ configBin: missing, env: { PATH: "" } }));
    expect(error.code).toBe("codex_not_found");
    expect(error.message).toContain(missing);
  });

  it("a configured directory is not a binary", async () => {
    const dir = await emptyDir("a-dir");
    const error = thrown(() => resolveCodexBin({ configBin: dir, env: { PATH: "" } }));
    expect(error.code).toBe("codex_not_found");
    expect(error.message).toContain(dir);
  });

  it("a CODEX_BIN that is not executable is codex_not_found naming CODEX_BIN, with no fallback", async () => {
    const notExecutable = await script("env/codex", 0o644);
    const onPath = await script("path/codex");
    const error = thrown(() => resolveCodexBin({ configBin: "", env: { CODEX_BIN: notExecutable, PATH: path.dirname(onPath) } }));
    expect(error.code).toBe("codex_not_found");
    expect(error.message).toContain(notExecutable);
    expect(error.message).toContain("CODEX_BIN");
  });

  it("a configured npm launcher (bin/codex.js) is swapped for its native binary", () => {
    expect(resolveCodexBin({ configBin: LAUNCHER, env: { PATH: "" } })).toEqual({ path: NATIVE, source: "config" });
  });
});

describe("resolveCodexBin: PATH", () => {
  it("takes the first executable `codex` on PATH, skipping empty entries, missing dirs, non-executables and directories", async () => {
    const missing = path.join(base, "missing");
    const notExecutable = await script("a/codex", 0o644);
    await emptyDir("b/codex"); // a directory named codex
    const good = await script("c/codex");
    await script("d/codex"); // later on PATH: never reached
    const PATH = ["", missing, path.dirname(notExecutable), path.join(base, "b"), path.dirname(good), path.join(base, "d")].join(path.delimiter);
    expect(resolveCodexBin({ configBin: "", env: { PATH } })).toEqual({ path: good, source: "PATH" });
  });

  it("a `codex` on PATH that is a symlink to the npm launcher resolves to the native binary", async () => {
    const bin = await emptyDir("npm-global/bin");
    await fs.symlink(LAUNCHER, path.join(bin, "codex"));
    const resolved = resolveCodexBin({ configBin: "", env: { PATH: bin } });
    expect(resolved).toEqual({ path: NATIVE, source: "PATH" });
  });

  it("a plain symlink to a native binary is kept as the PATH entry", async () => {
    const bin = await emptyDir("links");
    await fs.symlink(NATIVE, path.join(bin, "codex"));
    expect(resolveCodexBin({ configBin: "", env: { PATH: bin } })).toEqual({ path: path.join(bin, "codex"), source: "PATH" });
  });
});

describe("resolveCodexBin: bundled", () => {
  it("checks an explicit choice again once its file changes: made non-executable, restored, removed", async () => {
    const chosen = await script("cached/codex");
    const env = { CODEX_BIN: chosen };
    expect(resolveCodexBin({ configBin: "", env })).toEqual({ path: chosen, source: "CODEX_BIN" });
    expect(resolveCodexBin({ configBin: "", env })).toEqual({ path: chosen, source: "CODEX_BIN" });
    await fs.chmod(chosen, 0o644);
    expect(thrown(() => resolveCodexBin({ configBin: "", env })).code).toBe("codex_not_found");
    await fs.chmod(chosen, 0o755);
    expect(resolveCodexBin({ configBin: "", env })).toEqual({ path: chosen, source: "CODEX_BIN" });
    await fs.rm(chosen);
    expect(thrown(() => resolveCodexBin({ configBin: "", env })).code).toBe("codex_not_found");
  });

  it("with no codex on PATH, returns the bundled native binary of @openai/codex, which runs", async () => {
    const empty = await emptyDir("empty");
    const resolved = resolveCodexBin({ configBin: "", env: { PATH: empty } });
    expect(resolved).toEqual({ path: NATIVE, source: "node_modules" });
    expect(execFileSync(resolved.path, ["--version"], { encoding: "utf8" })).toMatch(new RegExp(`^codex-cli ${TESTED_CODEX.high.replaceAll(".", "\\.")}`));
  });

  it("an unset PATH also falls back to the bundled binary", () => {
    expect(resolveCodexBin({ configBin: "", env: {} })).toEqual({ path: NATIVE, source: "node_modules" });
  });
});
