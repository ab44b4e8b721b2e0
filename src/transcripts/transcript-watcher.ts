// Tails the transcripts `[transcripts] paths` names and turns each `DELEGATE TO CODEX: <issue>`
// said by the user or the agent into one request in the inbox (PROTOCOL.md §7).
//
// - chokidar watches only the configured files' folders (see watch-targets.ts), with `ignoreInitial`.
//   chokidar drops a file's change events that follow the previous one within 50 ms (no trailing
//   event), and agents write records in bursts: known transcripts are also read on chokidar's
//   unthrottled "raw" change events, each read is followed by a stat TRAILING_CHECK_MS later, and a
//   stat of every known transcript each `poll_ms` catches whatever else file events missed.
// - Each change reads only the appended bytes (tail-file.ts); reads of one file never overlap.
// - Offsets persist in offsets.json (offsets.ts says where a transcript is read from). They are
//   saved right after a read that found a phrase or restarted a file, and otherwise within a second.
// - One utterance, one request (publish-phrase.ts): seen.jsonl and the hook's records dedupe.
// - `codex exec` rollouts (session source "exec", originator "codex_exec": the relay's own runs
//   among them) are never scanned.
// Like chokidar, it emits "error" instead of throwing from its handlers.
import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import type { FSWatcher } from "chokidar";
import type { RelayContext } from "../context/relay-context.js";
import { RelayError, toRelayError } from "../errors.js";
import { detectFormat, type TranscriptFormat } from "./detect-format.js";
import { loadOffsets, readsFromStart, saveOffsets, TRANSCRIPTS_DIR, type OffsetsState, type StartReason, type TranscriptEntry } from "./offsets.js";
import { publishPhrase } from "./publish-phrase.js";
import { ReadQueue } from "./read-queue.js";
import { SeenKeys } from "./seen-keys.js";
import { endOfLastLine, readAppended } from "./tail-file.js";
import { expandTranscriptPath, folderTarget, homeOf, isSkippedPath, listTargetFiles, resolveTarget, type WatchTarget } from "./watch-targets.js";

const HEAD_BYTES = 64 * 1024;
// Markdown transcripts already there on a first start are scanned for their fence/quote state up
// to this size (phrases muted); past it they start fresh at their end.
const MAX_MUTED_SCAN = 64 * 1024 * 1024;
const PERSIST_DELAY_MS = 1000;
const PENDING_RETRY_MS = 5000;
const TRAILING_CHECK_MS = 60;
const MAX_RETIRED = 1000;
// Reads of different transcripts run side by side up to this many (a first start may list thousands).
const PARALLEL_READS = 8;

export interface TranscriptWatcherOptions {
  /** Read transcripts without a saved offset from their start, not from their end (`start --from-start`). */
  fromStart?: boolean;
}

export interface TranscriptRequestEvent {
  id: string;
  transcript: string;
  offset: number;
  format: TranscriptFormat;
  role: "user" | "assistant";
  issue: string;
}

export interface TranscriptSkipEvent {
  transcript: string;
  offset: number;
  issue: string;
  /** seen: this utterance already made a request; hook: `codex-relay hook` made it; invalid: it cannot make one. */
  reason: "seen" | "hook" | "invalid";
}

export interface TranscriptReadEvent {
  transcript: string;
  from: number;
  /** The saved offset after the read. */
  to: number;
  bytes: number;
  reason: StartReason;
  phrases: number;
}

interface Events {
  request: [TranscriptRequestEvent];
  skip: [TranscriptSkipEvent];
  read: [TranscriptReadEvent];
  error: [RelayError];
}

export class TranscriptWatcher extends EventEmitter<Events> {
  readonly #ctx: RelayContext;
  readonly #fromStart: boolean;
  #state: OffsetsState = { version: 1, roots: [], transcripts: {} };
  #rootsBefore = new Set<string>();
  #seen: SeenKeys | undefined;
  readonly #targets: WatchTarget[] = [];
  readonly #pending = new Set<string>();
  readonly #watchers: FSWatcher[] = [];
  readonly #reads = new ReadQueue({
    read: (file, appeared) => this.#process(file, appeared).catch((error) => this.#report(error)),
    settled: (file) => this.#trail(file),
    parallel: PARALLEL_READS,
  });
  /** Entries of files renamed or rotated away, by dev:ino: a renamed transcript continues where it was. */
  readonly #retired = new Map<string, TranscriptEntry>();
  readonly #trailing = new Map<string, NodeJS.Timeout>();
  #pollTimer: NodeJS.Timeout | undefined;
  #persistTimer: NodeJS.Timeout | undefined;
  #persisting: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(ctx: RelayContext, options: TranscriptWatcherOptions = {}) {
    super();
    this.#ctx = ctx;
    this.#fromStart = options.fromStart ?? false;
  }

  async start(): Promise<void> {
    const { layout, config, env } = this.#ctx;
    await mkdir(path.join(layout.relay, TRANSCRIPTS_DIR), { recursive: true });
    this.#state = (await loadOffsets(layout)) ?? this.#state;
    this.#rootsBefore = new Set(this.#state.roots);
    this.#seen = await SeenKeys.load(layout);
    const home = homeOf(env);
    const patterns = [...new Set(config.transcripts.paths.map((entry) => expandTranscriptPath(entry, layout.workspace, home)))];
    for (const pattern of patterns) await this.#addTarget(pattern, false);
    await this.idle(); // every transcript there now has its starting point before start() returns
    // Offsets of transcripts no longer configured are dropped: configured again, they start afresh.
    for (const file of Object.keys(this.#state.transcripts)) {
      if (!this.#targetOf(file) && !patterns.includes(file)) delete this.#state.transcripts[file];
    }
    this.#state.roots = patterns;
    await this.#persist();
    this.#schedulePoll();
  }

  /** Stop watching, let reads in flight finish and save the offsets. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#persistTimer);
    for (const timer of this.#trailing.values()) clearTimeout(timer);
    this.#trailing.clear();
    await Promise.all(this.#watchers.splice(0).map((watcher) => watcher.close()));
    await this.#reads.close();
    await this.#persist();
  }

  /** Resolves when no transcript read is running or queued. */
  idle(): Promise<void> {
    return this.#reads.idle();
  }

  /** Re-check every transcript now (what the poll does every `poll_ms`), and paths that did not exist yet. */
  async poll(): Promise<void> {
    for (const pattern of [...this.#pending]) {
      if (this.#closed) return;
      this.#pending.delete(pattern);
      await this.#addTarget(pattern, true).catch((error) => this.#report(error));
    }
    for (const [file, entry] of Object.entries(this.#state.transcripts)) {
      if (this.#closed) return;
      if (!entry.skip) await this.#recheck(file); // `codex exec` rollouts: nothing to read, ever
    }
  }

  /** Read `file` again if it changed since its last read (a stat). */
  async #recheck(file: string): Promise<void> {
    const entry = this.#state.transcripts[file];
    const now = entry && (await stat(file).catch(() => undefined));
    if (entry && now && (now.size !== entry.size || now.ino !== entry.ino || now.dev !== entry.dev)) this.#schedule(file, false);
  }

  // The change chokidar may have swallowed right after the one just handled.
  #trail(file: string): void {
    if (this.#closed) return;
    clearTimeout(this.#trailing.get(file));
    const timer = setTimeout(() => {
      this.#trailing.delete(file);
      void this.#recheck(file).catch((error) => this.#report(error));
    }, TRAILING_CHECK_MS);
    timer.unref();
    this.#trailing.set(file, timer);
  }

  async #addTarget(pattern: string, appeared: boolean): Promise<void> {
    const target = await resolveTarget(pattern);
    await this.#watch(target, appeared);
  }

  async #watch(target: WatchTarget, appeared: boolean): Promise<void> {
    if (this.#closed) return;
    if (!existsSync(target.dir)) {
      this.#pending.add(target.pattern); // retried by the poll until it exists
      return;
    }
    const { watch } = await import("chokidar");
    const only = target.file;
    const watcher = watch(target.dir, {
      ignoreInitial: true,
      depth: target.depth,
      // A file target's folder may be the workspace itself: look at nothing else in it.
      ignored: (file: string) => file !== target.dir && (only ? file !== only : isSkippedPath(file)),
    });
    watcher.on("add", (file) => target.accepts(file) && this.#schedule(file, true));
    watcher.on("change", (file) => target.accepts(file) && this.#schedule(file, false));
    watcher.on("raw", (event, name, details) => {
      const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
      if (event !== "change" || typeof watched !== "string") return;
      // fs.watch on a folder names the file; on a file, it names the file itself
      const file = path.basename(watched) === name ? watched : path.join(watched, name);
      if (this.#state.transcripts[file] && target.accepts(file)) this.#schedule(file, false);
    });
    watcher.on("unlink", (file) => target.accepts(file) && this.#forget(file));
    watcher.on("addDir", (dir) => {
      if (dir === target.awaitsFolder) void this.#watch(folderTarget(dir), true).catch((error) => this.#report(error));
    });
    watcher.on("error", (error) => this.#report(error));
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    if (this.#closed) return void (await watcher.close());
    this.#watchers.push(watcher);
    this.#targets.unshift(target); // a folder that appeared wins over the file target that awaited it
    if (target.awaitsFolder && (await stat(target.awaitsFolder).catch(() => undefined))?.isDirectory()) {
      await this.#watch(folderTarget(target.awaitsFolder), true); // created between resolving and watching
    }
    for (const file of await listTargetFiles(target)) this.#schedule(file, appeared);
  }

  #targetOf(file: string): WatchTarget | undefined {
    return this.#targets.find((target) => target.accepts(file));
  }

  /** Queue a read of `file`; `appeared`: it is new since the watcher started (read it from its start). */
  #schedule(file: string, appeared: boolean): void {
    if (!this.#closed) this.#reads.schedule(file, appeared);
  }

  async #process(file: string, appeared: boolean): Promise<void> {
    const entry = this.#state.transcripts[file] ?? (await this.#newEntry(file, appeared));
    if (!entry) return;
    this.#state.transcripts[file] = entry;
    const read = await readAppended(file, entry);
    if (!read) return; // deleted meanwhile; the unlink event forgets it
    if (read.reason === "rotated") this.#retire(entry); // it may reappear under another name
    const format = read.entry.format;
    for (const hit of read.hits) {
      const outcome = await publishPhrase(this.#ctx, this.#seen!, { transcript: file, format, hit }, (error) => this.#report(error));
      if (outcome.kind === "retry") {
        // Keep the old offset, so the next read retries the phrases not yet published (the
        // published ones are in seen.jsonl by then).
        this.#report(outcome.error);
        await this.#persist();
        return;
      }
      if (outcome.kind === "published") this.emit("request", { id: outcome.id, transcript: file, offset: hit.offset, format, role: hit.role, issue: hit.issue });
      else this.emit("skip", { transcript: file, offset: hit.offset, issue: hit.issue, reason: outcome.reason });
    }
    this.#state.transcripts[file] = read.entry;
    this.emit("read", { transcript: file, from: read.from, to: read.entry.offset, bytes: read.bytesRead, reason: read.reason, phrases: read.hits.length });
    if (read.hits.length > 0 || read.reason !== "resume") await this.#persist();
    else this.#persistSoon();
  }

  /** Where an unknown transcript starts (offsets.ts): undefined when it cannot be told yet or is gone. */
  async #newEntry(file: string, appeared: boolean): Promise<TranscriptEntry | undefined> {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const renamed = this.#retired.get(identity(info));
    if (renamed) {
      this.#retired.delete(identity(info));
      return renamed;
    }
    // Where each tool writes says the format; only other files need their first line read.
    const byPath = detectFormat(file, "");
    const head = byPath === "plain" ? await readHead(file) : "";
    const format = byPath === "plain" ? detectFormat(file, head) : byPath;
    if (format === "plain" && file.endsWith(".jsonl") && !head.includes("\n")) return undefined; // no first line yet
    const base = { dev: info.dev, ino: info.ino, size: info.size, format };
    const rootKnown = this.#rootsBefore.has(this.#targetOf(file)?.pattern ?? file);
    if (readsFromStart({ appeared, rootKnown, fromStart: this.#fromStart })) return { ...base, size: 0, offset: 0 };
    const end = await endOfLastLine(file);
    // Markdown formats need the fence and quote state of what came before: scan it, phrases muted.
    if ((format === "aider" || format === "plain") && end.offset <= MAX_MUTED_SCAN) return { ...base, size: 0, offset: 0, mute: end.offset };
    return { ...base, offset: end.offset, ...(end.tail === undefined ? {} : { tail: end.tail }) };
  }

  #forget(file: string): void {
    const entry = this.#state.transcripts[file];
    if (!entry) return;
    this.#retire(entry);
    delete this.#state.transcripts[file];
    this.#persistSoon();
  }

  #retire(entry: TranscriptEntry): void {
    this.#retired.set(identity(entry), entry);
    if (this.#retired.size > MAX_RETIRED) this.#retired.delete(this.#retired.keys().next().value!);
  }

  #persistSoon(): void {
    if (this.#persistTimer || this.#closed) return;
    this.#persistTimer = setTimeout(() => {
      this.#persistTimer = undefined;
      void this.#persist();
    }, PERSIST_DELAY_MS);
    this.#persistTimer.unref();
  }

  /** Save the offsets now; saves never overlap, and a failed save is reported, never thrown. */
  #persist(): Promise<void> {
    clearTimeout(this.#persistTimer);
    this.#persistTimer = undefined;
    this.#persisting = this.#persisting.then(() => saveOffsets(this.#ctx.layout, this.#state)).catch((error) => this.#report(error));
    return this.#persisting;
  }

  #schedulePoll(): void {
    const every = this.#ctx.config.transcripts.poll_ms;
    if (this.#closed || (every === 0 && this.#pending.size === 0)) return;
    this.#pollTimer = setTimeout(() => {
      void this.poll()
        .catch((error) => this.#report(error))
        .finally(() => this.#schedulePoll());
    }, every === 0 ? PENDING_RETRY_MS : every);
    this.#pollTimer.unref();
  }

  #report(error: unknown): void {
    if (this.listenerCount("error") > 0) this.emit("error", toRelayError(error));
  }
}

function identity(file: { dev: number; ino: number }): string {
  return `${file.dev}:${file.ino}`;
}

async function readHead(file: string): Promise<string> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.toString("utf8", 0, bytesRead);
  } finally {
    await handle.close();
  }
}
