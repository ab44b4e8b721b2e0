// The package as a user gets it: the `npm pack` tarball holds what a user needs and nothing else;
// installed with npm into a fresh git repository, `node_modules/.bin/codex-relay` runs init,
// doctor (which says how to install Codex when there is none) and `delegate --wait` against the
// model stand-in, and afterwards `git status` shows nothing the relay wrote.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codexBinary, makeCodexHome, MOCK_API_KEY, MOCK_ENV_KEY } from "../fixtures/codex-home.js";
import { jsonMessage, startModelServer, type ModelServer } from "../fixtures/model-server.js";
import { installTarball, packCheckout, type PackedFile } from "../helpers/packed-install.js";
import { analysisReply, mockProviderTable } from "../helpers/relay-workspace.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
let scratch: string;
let packed: { tarball: string; files: PackedFile[] };

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "codex-relay-packed-"));
  packed = packCheckout(scratch);
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true, maxRetries: 3 });
});

describe("npm pack", () => {
  it("holds the built CLI, the templates, README, LICENSE, PROTOCOL.md and the Claude Code plugin, and nothing else", () => {
    const names = packed.files.map((f) => f.path).sort();
    const dist = names.filter((name) => name.startsWith("dist/"));
    const templates = readdirSync(path.join(ROOT, "templates")).map((name) => `templates/${name}`);
    // The marketplace and the plugin it lists: `/plugin marketplace add ./node_modules/codex-relay`.
    const plugin = [".claude-plugin/marketplace.json", ...listFiles(path.join(ROOT, "claude-plugin")).map((file) => `claude-plugin/${file}`)];
    expect(names.filter((name) => !name.startsWith("dist/")).sort()).toEqual(["LICENSE", "PROTOCOL.md", "README.md", "package.json", ...templates, ...plugin].sort());
    // One .js per source module: no sourcemaps pointing at an unshipped src/, no test or bench output.
    // The dashboard's page (src/ui/web/) ships as one esbuild bundle, app.js, beside its HTML and CSS.
    const web = (file: string) => file.startsWith("ui/web/");
    const sources = listFiles(path.join(ROOT, "src"))
      .filter((file) => !web(file) || /\.(?:html|css)$/.test(file))
      .map((file) => `dist/${file.replace(/\.ts$/, ".js")}`);
    // The CLI also ships as one esbuild bundle: bin.js plus its split chunks beside it (scripts/bundle-cli.mjs).
    const chunk = (file: string) => /^dist\/cli\/chunk-[A-Z0-9]+\.js$/.test(file);
    expect(dist.filter(chunk).length).toBeGreaterThan(0);
    expect(dist.filter((file) => !chunk(file))).toEqual([...sources, "dist/ui/web/app.js"].sort());
    expect(packed.files.find((f) => f.path === "dist/cli/bin.js")!.mode & 0o111).not.toBe(0);
  });
});

describe("installed from the tarball", () => {
  let server: ModelServer;
  let repo: string;
  let env: Record<string, string>;
  let cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    server = await startModelServer();
    repo = path.join(scratch, "user-repo");
    await mkdir(repo);
    const codexHome = await makeCodexHome();
    cleanups = [() => server.close(), codexHome.cleanup];
    // A user's shell: node and git on PATH, but no codex (the `npm test` running us puts the
    // checkout's node_modules/.bin, with its codex, on PATH).
    const userPath = (process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir && !existsSync(path.join(dir, "codex")));
    env = {
      PATH: [path.dirname(process.execPath), ...userPath].join(path.delimiter),
      HOME: path.join(scratch, "home"),
      CODEX_HOME: codexHome.dir,
      [MOCK_ENV_KEY]: MOCK_API_KEY,
    };
    await mkdir(env.HOME!);
    git("init", "-q", "-b", "main");
    await writeFile(path.join(repo, ".gitignore"), "node_modules/\n");
    await installTarball(repo, packed.tarball);
    git("add", "-A");
    git("commit", "-qm", "add codex-relay");
  });
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  const relay = (args: string[], extraPath: string[] = []) =>
    execa(path.join(repo, "node_modules", ".bin", "codex-relay"), args, {
      cwd: repo,
      env: { ...env, PATH: [...extraPath, env.PATH].join(path.delimiter) },
      extendEnv: false,
      reject: false,
      stdin: "ignore",
      timeout: 60_000,
    });
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", repo, "-c", "user.name=u", "-c", "user.email=u@u", ...args], { encoding: "utf8", env: { ...process.env, HOME: repo, GIT_CONFIG_NOSYSTEM: "1" } }).trimEnd();

  it("runs init, doctor and delegate --wait, and leaves git status clean", async () => {
    // The optional peer is not installed with it: no 400 MB second Codex.
    expect(existsSync(path.join(repo, "node_modules", "@openai", "codex"))).toBe(false);
    const pkg = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    expect((await relay(["--version"])).stdout.trim()).toBe(`codex-relay ${pkg.version}`);

    const init = await relay(["init"]);
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toContain("created codex-relay.toml");
    // What init wrote is what the README says to commit.
    expect(git("status", "--porcelain", "--untracked-files=all").split("\n").sort()).toEqual([" M .gitignore", "?? .cursor/rules/codex-relay.mdc", "?? CLAUDE.md", "?? codex-relay.toml"]);

    const noCodex = await relay(["doctor"]);
    expect(noCodex.exitCode).toBe(1);
    expect(noCodex.stdout).toMatch(/^FAIL codex +codex was not found: not on PATH, and @openai\/codex is not installed next to codex-relay/m);
    expect(noCodex.stdout).toContain("fix: Install Codex into this repository with `npm install -D @openai/codex` (or for your user: `npm install -g @openai/codex`)");
    const unanswered = await relay(["delegate", "--wait", "--json", "--issue", "asked before Codex is installed"]);
    expect(unanswered.exitCode).toBe(1);
    expect(JSON.parse(unanswered.stdout).error).toMatchObject({ code: "codex_not_found", hint: expect.stringContaining("`npm install -D @openai/codex`") });

    // The user's own codex on PATH, and their provider in codex-relay.toml.
    const bin = path.join(scratch, "bin");
    await mkdir(bin);
    await symlink(codexBinary(), path.join(bin, "codex"));
    await configureProvider(path.join(repo, "codex-relay.toml"), server);
    git("add", "-A");
    git("commit", "-qm", "set up codex-relay");

    const doctor = await relay(["doctor"], [bin]);
    expect(doctor.stdout).not.toContain("FAIL");
    expect(doctor.exitCode).toBe(0);
    expect(doctor.stdout).toMatch(new RegExp(`^ok +codex +codex \\d+\\.\\d+\\.\\d+ \\(PATH: ${bin}/codex\\)`, "m"));

    server.enqueue(jsonMessage(analysisReply()));
    const delegated = await relay(["delegate", "--wait", "--issue", "500 error on /runs/start", "--logs", "Traceback: KeyError 'request'"], [bin]);
    // A request id is YYYYMMDD_HHMMSS, with _N when another took that second (protocol/layout.ts).
    const id = /result written +\[(\d{8}_\d{6}(?:_\d+)?)\] status=completed/.exec(delegated.stderr)?.[1];
    expect(id, delegated.stderr).toBeDefined();
    expect(delegated.exitCode).toBe(0);
    expect(delegated.stdout).toContain("The rate limiter decorator wraps the route before the request parameter exists.");
    expect(server.requests.at(-1)!.text).toContain("KeyError 'request'");

    // Everything it wrote is ignored; the record is the audit branch.
    expect(git("status", "--porcelain", "--untracked-files=all")).toBe("");
    const audited = git("ls-tree", "-r", "--name-only", "codex-relay/audit");
    expect(audited.split("\n")).toContain(`delegations/${id}/CODEX_DELEGATION_RESULT_${id}.json`);
  });
});

/** Point the init-written config at the stand-in, as a user edits it for a local provider. */
async function configureProvider(file: string, server: ModelServer): Promise<void> {
  const text = (await readFile(file, "utf8")).replace(/^model = ""$/m, 'model = "gpt-5.5"');
  await writeFile(file, `${text}\n[codex.config]\nmodel_provider = "mock"\n\n${mockProviderTable(server)}`);
}

/** Files under `dir`, relative, with `/`. */
function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(dir, `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}
