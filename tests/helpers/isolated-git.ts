// For tests of git behaviour: git children get an empty HOME and no system config, so the
// machine's identity and settings cannot leak in; setup commits pass their identity explicitly.
import { mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";

/** GIT_AUTHOR_* / GIT_COMMITTER_* for a setup commit made as `name`. */
export function identityEnv(name: string, email: string): Record<string, string> {
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
}

/** Registers the isolation for the whole test file; returns a getter for its temp root folder. */
export function isolateGitHome(prefix: string): () => string {
  const savedEnv = { ...process.env };
  let root = "";
  beforeAll(async () => {
    root = await realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
    const home = path.join(root, "home");
    await mkdir(home);
    process.env.HOME = home;
    process.env.GIT_CONFIG_NOSYSTEM = "1";
    delete process.env.XDG_CONFIG_HOME;
  });
  afterAll(async () => {
    process.env = savedEnv;
    await rm(root, { recursive: true, force: true });
  });
  return () => root;
}
