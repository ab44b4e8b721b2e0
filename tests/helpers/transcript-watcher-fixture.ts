// A TranscriptWatcher on real files for the transcript tests: a real git workspace, a fake home with
// ~/.claude/projects/-home-dev-shop/<session>.jsonl, and a started watcher whose events are kept.
// Every watcher is closed after each test, and every folder removed.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach } from "vitest";
import { createRelayContext } from "../../src/context/relay-context.js";
import { TranscriptWatcher, type TranscriptReadEvent, type TranscriptRequestEvent, type TranscriptSkipEvent } from "../../src/transcripts/transcript-watcher.js";
import { gitdir } from "./gitdir.js";
import { testdir } from "./testdir.js";

export interface WatcherSetup {
  ws: string;
  home: string;
  project: string;
  session: string;
  watcher: TranscriptWatcher;
  requests: TranscriptRequestEvent[];
  skips: TranscriptSkipEvent[];
  reads: TranscriptReadEvent[];
  errors: Error[];
  /** The watcher's CLAUDE_CONFIG_DIR, when the test set one. */
  claudeConfigDir?: string;
  restart(options?: { fromStart?: boolean }): Promise<void>;
}

export interface WatcherSetupOptions {
  paths?: string[];
  toml?: string;
  pollMs?: number;
  fromStart?: boolean;
  /** A folder under the fake home the watcher's CLAUDE_CONFIG_DIR names (unset without it). */
  claudeConfigDir?: string;
  /** Runs after the config is written, before the watcher starts. */
  before?: (s: { ws: string; home: string; session: string; claudeConfigDir?: string }) => Promise<void>;
}

/** Call at the top of a test file; `sessionId` names the session transcript. */
export function watcherFixture(sessionId: string) {
  const watchers: TranscriptWatcher[] = [];

  afterEach(async () => {
    for (const watcher of watchers.splice(0)) await watcher.close();
  });

  /** A folder removed after the test. */
  const tempDir = (prefix: string): Promise<string> => testdir({}, { prefix });

  async function startWatcher(s: WatcherSetup, fromStart: boolean): Promise<void> {
    const configDir = s.claudeConfigDir === undefined ? {} : { CLAUDE_CONFIG_DIR: s.claudeConfigDir };
    const ctx = await createRelayContext({ workspace: s.ws, env: { HOME: s.home, PATH: process.env.PATH ?? "", ...configDir } });
    const watcher = new TranscriptWatcher(ctx, { fromStart });
    watcher.on("request", (e) => s.requests.push(e));
    watcher.on("skip", (e) => s.skips.push(e));
    watcher.on("read", (e) => s.reads.push(e));
    watcher.on("error", (e) => s.errors.push(e));
    watchers.push(watcher);
    s.watcher = watcher;
    await watcher.start();
  }

  /** A git workspace whose config watches `paths`, a fake home, and a started watcher. */
  async function setup(options: WatcherSetupOptions = {}): Promise<WatcherSetup> {
    const ws = await gitdir({ prefix: "codex-relay-tw-ws-", files: { "README.md": "# shop\n" }, commit: "init" });
    const home = await tempDir("codex-relay-tw-home-");
    const project = path.join(home, ".claude/projects/-home-dev-shop");
    await mkdir(project, { recursive: true });
    const session = path.join(project, `${sessionId}.jsonl`);
    const paths = options.paths ?? ["~/.claude/projects/-home-dev-shop"];
    await writeFile(path.join(ws, "codex-relay.toml"), `[transcripts]\npaths = ${JSON.stringify(paths)}\npoll_ms = ${options.pollMs ?? 200}\n${options.toml ?? ""}\n`);
    const claudeConfigDir = options.claudeConfigDir === undefined ? undefined : path.join(home, options.claudeConfigDir);
    await options.before?.({ ws, home, session, ...(claudeConfigDir === undefined ? {} : { claudeConfigDir }) });
    const s: WatcherSetup = {
      ws,
      home,
      ...(claudeConfigDir === undefined ? {} : { claudeConfigDir }),
      project,
      session,
      watcher: undefined as unknown as TranscriptWatcher,
      requests: [],
      skips: [],
      reads: [],
      errors: [],
      restart: async (restartOptions = {}) => {
        await s.watcher.close();
        await startWatcher(s, restartOptions.fromStart ?? false);
      },
    };
    await startWatcher(s, options.fromStart ?? false);
    return s;
  }

  return { setup, tempDir };
}
