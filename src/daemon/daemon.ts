// The long-running daemon of one workspace: watches the inbox, claims requests, runs at most
// `concurrency` of them, sweeps for stale claims and missed files, and shuts down gracefully.
// Like a watcher, it emits "error" rather than throwing from its event handlers.
import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { Requeue } from "../codex/requeue.js"; // tiny: the idle daemon still loads no Codex runner
import { RelayError, toRelayError } from "../errors.js";
import { APPROVE_FILE, CANCEL_FILE, REQUEST_FILE, requestIdOf } from "../protocol/layout.js";
import type { DelegationRequest } from "../protocol/request.js";
import { writesCode } from "../protocol/request-text.js";
import { heartbeat, killOrphanedCodex, listClaimIds, releaseClaim, takeOverStale, tryClaim, type Claim } from "./claims.js";
import { countedAttempts, trackCodexPhase } from "./attempt-accounting.js";
import { catchUpAudit } from "./audit-catch-up.js";
import { removeDeadTemps } from "./tmp-cleanup.js";
import type { digestOf as DigestOf, readRequest as ReadRequest } from "./read-request.js";
import { makeFolders, type RelayContext } from "../context/relay-context.js";
import { acquireWorkspaceLock, type WorkspaceLock } from "./workspace-lock.js";
import type { TranscriptWatcher } from "../transcripts/transcript-watcher.js";
import type { ProgressWatcher } from "./progress-watcher.js";
import { DirWatcher } from "./dir-watcher.js";
import { scheduleLocal, type Schedule } from "./sweep-schedule.js";
import type { Scheduler } from "./scheduler.js";

/** Retention runs at start and then at the first sweep after this long. */
const RETENTION_EVERY_MS = 3_600_000;

const RESTART_SETTLE_MS = 100;
const WATCHED_NAME = /^CODEX_DELEGATION_(?:REQUEST_.+\.md|CANCEL_.+|APPROVE_.+)$/;

async function loadReading(): Promise<{ readRequest: typeof ReadRequest; digestOf: typeof DigestOf; parseRequest: (text: string) => { ok: boolean } }> {
  const [reading, parsing] = await Promise.all([import("./read-request.js"), import("../protocol/parse-request.js")]);
  return { readRequest: reading.readRequest, digestOf: reading.digestOf, parseRequest: parsing.parseRequest };
}

interface Running {
  readonly claim: Claim;
  /** Digest of the request text the run started from. */
  readonly digest: string | null;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

interface Settling {
  fingerprint: string;
  since: number;
  timer?: NodeJS.Timeout;
}

export interface DaemonOptions {
  /** Read watched transcripts that have no saved offset from their start (`start --from-start`). */
  readonly fromStart?: boolean;
}

export class Daemon extends EventEmitter {
  readonly #ctx: RelayContext;
  readonly #options: DaemonOptions;
  #transcripts: TranscriptWatcher | undefined;
  #progress: ProgressWatcher | undefined;
  readonly #pending: string[] = [];
  readonly #queued = new Set<string>();
  readonly #running = new Map<string, Running>();
  readonly #detectedAt = new Map<string, Date>();
  readonly #settling = new Map<string, Settling>();
  readonly #attempts = new Map<string, number>();
  readonly #awaitingApproval = new Set<string>();
  /** Orphan markers being removed (see #droppedOrphanMarker). */
  readonly #droppingMarkers = new Set<string>();
  /** Running requests whose text is being compared; true: it changed again meanwhile. */
  readonly #restartChecks = new Map<string, boolean>();
  #lock: WorkspaceLock | undefined;
  #watcher: DirWatcher | undefined;
  #sweepJob: Schedule | undefined;
  /** `[[schedule]]` entries and the digest; none loaded when neither is configured. */
  #scheduler: Scheduler | undefined;
  #retainedAt = Number.NEGATIVE_INFINITY;
  #heartbeat: NodeJS.Timeout | undefined;
  /** Handles in progress, counted from the moment they leave the queue (before their claim). */
  #active = 0;
  /** Patches and micro edits waiting for, or running in, the patch lane (one at a time). */
  readonly #inLane = new Set<string>();
  #lane: Promise<void> = Promise.resolve();
  #stopping = false;
  #stopped: Promise<void> = Promise.resolve();
  #idleWaiters: (() => void)[] = [];
  /** Work done ahead of requests, one stage at a time, each begun only when the daemon is idle. */
  readonly #warmStages: (() => Promise<void>)[] = [];
  #warming = false;
  #poolWarmed = false;
  readonly #warmAbort = new AbortController();

  constructor(ctx: RelayContext, options: DaemonOptions = {}) {
    super();
    this.#ctx = ctx;
    this.#options = options;
  }

  async start(): Promise<void> {
    const { layout, config, logger } = this.#ctx;
    this.#lock = await acquireWorkspaceLock(layout, this.#ctx.now());
    try {
      // Holding the lock: temp files of dead writers (a SIGKILLed daemon) are litter now.
      const removed = await removeDeadTemps(layout);
      if (removed.length > 0) logger.log("info", "temp files removed", { count: removed.length });
      await this.#recoverClaims();
      const watcher = new DirWatcher(layout.inbox, (name) => WATCHED_NAME.test(name));
      watcher.on("file", (name, how) => (how === "unlink" ? this.#onUnlink(name) : this.#onFile(name, how)));
      watcher.on("error", (error) => this.#report(toRelayError(error), "watcher"));
      await watcher.start();
      this.#watcher = watcher;
      await this.#scanInbox();
      void this.#catchUpAudit(); // not awaited: one git run the start-up need not wait for
      this.#sweepJob = await scheduleLocal(config.daemon.sweep_cron, () => void this.sweep());
      await this.retain();
      if (config.schedule.length > 0 || config.digest.enabled) await this.#startScheduler();
      this.#heartbeat = setInterval(() => void this.#beat(), config.daemon.heartbeat_s * 1000);
      this.#heartbeat.unref();
      if (config.transcripts.paths.length > 0) await this.#watchTranscripts();
      if (config.patch.auto_diagnose || config.patch.auto_patch) await this.#watchProgress();
      logger.log("info", "daemon started", { workspace: layout.workspace, inbox: layout.inbox, concurrency: config.daemon.concurrency });
      this.#warmStages.push(() => this.#warmRequestPath(), () => this.#warmSandboxPool());
      this.#checkIdle();
    } catch (error) {
      this.#sweepJob?.stop();
      this.#scheduler?.stop();
      clearInterval(this.#heartbeat);
      await this.#progress?.close();
      await this.#transcripts?.close();
      this.#watcher?.close();
      await this.#lock.release();
      throw error;
    }
  }

  // Loaded only when configured: an idle daemon without schedules or digest carries none of it.
  async #startScheduler(): Promise<void> {
    const [{ Scheduler }, { timedJobs }] = await Promise.all([import("./scheduler.js"), import("./timed-jobs.js")]);
    const scheduler = new Scheduler(this.#ctx, timedJobs(this.#ctx), (error, key) => this.#report(error, key));
    this.#scheduler = scheduler;
    await scheduler.start(); // runs, once, what came due while no daemon ran
  }

  /** Run the schedules and the digest that are due at the context's clock (the daemon's timer does this itself). */
  async checkSchedules(): Promise<void> {
    await this.#scheduler?.check();
  }

  /** Archive finished requests past `retention.days`, trim recordings and temp files (see retention.ts). */
  async retain(): Promise<void> {
    if (this.#stopping || this.#ctx.config.retention.days === 0) return;
    this.#retainedAt = this.#ctx.now().getTime();
    try {
      const { applyRetention } = await import("./retention.js");
      await applyRetention(this.#ctx, (id) => this.#tracks(id));
    } catch (error) {
      this.#report(toRelayError(error), "retention");
    }
  }

  // The patch workflow's triggers, loaded lazily like the transcript watcher.
  async #watchProgress(): Promise<void> {
    const { ProgressWatcher } = await import("./progress-watcher.js");
    const progress = new ProgressWatcher(this.#ctx);
    progress.on("request", (event) => this.#ctx.logger.log("info", "progress request", { id: event.id, kind: event.kind, message: event.trigger }));
    progress.on("error", (error) => this.#report(error, "progress"));
    this.#progress = progress;
    await progress.start();
  }

  // Loaded only when transcripts are configured: an idle daemon without them carries none of it.
  async #watchTranscripts(): Promise<void> {
    const { logger } = this.#ctx;
    const { TranscriptWatcher } = await import("../transcripts/transcript-watcher.js");
    const transcripts = new TranscriptWatcher(this.#ctx, { fromStart: this.#options.fromStart ?? false });
    transcripts.on("request", (event) => {
      logger.log("info", "transcript request", { id: event.id, transcript: event.transcript, offset: event.offset, role: event.role, format: event.format });
    });
    transcripts.on("skip", (event) => {
      logger.log("info", "transcript phrase skipped", { transcript: event.transcript, offset: event.offset, message: event.reason === "hook" ? "already requested by the hook" : "already requested" });
    });
    transcripts.on("error", (error) => this.#report(error, "transcripts"));
    try {
      await transcripts.start();
    } catch (error) {
      await transcripts.close();
      throw error;
    }
    this.#transcripts = transcripts;
    logger.log("info", "watching transcripts", { paths: this.#ctx.config.transcripts.paths, from_start: this.#options.fromStart ? true : undefined });
  }

  /** Stop claiming, let running requests finish within the grace period, then stop them for a re-run. */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    const graceMs = options.graceMs ?? this.#ctx.config.daemon.shutdown_grace_s * 1000;
    if (this.#stopping) {
      if (graceMs === 0) for (const running of this.#running.values()) running.abort.abort(new Requeue("shutdown"));
      return this.#stopped;
    }
    this.#stopping = true;
    this.#stopped = this.#shutdown(graceMs);
    return this.#stopped;
  }

  async #shutdown(graceMs: number): Promise<void> {
    const { logger } = this.#ctx;
    logger.log("info", "daemon stopping", { running: this.#running.size, queued: this.#pending.length });
    this.#sweepJob?.stop();
    this.#scheduler?.stop();
    clearInterval(this.#heartbeat);
    this.#warmAbort.abort("shutdown");
    for (const settling of this.#settling.values()) clearTimeout(settling.timer);
    await this.#transcripts?.close(); // no new requests from transcripts while stopping
    await this.#progress?.close();
    this.#watcher?.close();
    const all = () => Promise.all([...this.#running.values()].map((r) => r.done));
    const grace = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
    if ((await Promise.race([all(), grace])) === "timeout") {
      for (const running of this.#running.values()) running.abort.abort(new Requeue("shutdown"));
      await all();
    }
    await this.#ctx.background.drain();
    await (await import("../gateway/gateway.js")).stopGateway(this.#ctx); // loaded late: an idle daemon never needs it
    await this.#lock?.release();
    logger.log("info", "daemon stopped");
  }

  /** Resolves when nothing is queued, settling or running (for tests and `run`-style callers). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Re-offer every request without a RESULT and recover stale claims: what the watcher missed. */
  async sweep(): Promise<void> {
    if (this.#stopping) return;
    try {
      await this.#recoverClaims();
      await this.#progress?.check();
      // Removed folders are made again, and the inbox watched again, so requests dropped there are still seen.
      await makeFolders(this.#ctx.layout);
      await this.#watcher?.refresh();
      await this.#scanInbox();
      // A dropped event (inotify's queue overflowing) can hide an edit under a running request,
      // so the sweep compares running requests' text too.
      await Promise.all([...this.#running.keys()].map((id) => this.#restartIfChanged(id)));
      await this.#catchUpAudit();
      if (this.#ctx.now().getTime() - this.#retainedAt >= RETENTION_EVERY_MS) await this.retain();
      // A task packet written since start: the patch workflow is in use now, so warm its pool.
      if (!this.#poolWarmed && this.#warmStages.length === 0 && !this.#warming) this.#warmStages.push(() => this.#warmSandboxPool());
      this.#checkIdle();
    } catch (error) {
      this.#report(toRelayError(error), "sweep");
    }
  }

  /** Audit commits a killed daemon never made (its audit commit follows the RESULT). */
  async #catchUpAudit(): Promise<void> {
    if (this.#stopping) return; // the shutdown drains the commits it knows of; start none after it
    await catchUpAudit(this.#ctx).catch((error) => this.#report(toRelayError(error), "audit catch-up"));
  }

  #onFile(name: string, how: "add" | "change"): void {
    const id = requestIdOf(name);
    if (id) {
      if (how === "change" && this.#running.has(id)) return void this.#restartIfChanged(id);
      return this.#offer(id, how === "add" ? "detected" : "changed");
    }
    if (this.#droppedOrphanMarker(name)) return;
    const cancelled = CANCEL_FILE.exec(name)?.[1];
    if (cancelled) return this.#cancel(cancelled, "CANCEL file");
    const approved = APPROVE_FILE.exec(name)?.[1];
    if (approved && this.#awaitingApproval.delete(approved)) this.#offer(approved, "approved");
  }

  #onUnlink(name: string): void {
    const id = requestIdOf(name);
    if (id) this.#cancel(id, "request deleted");
  }

  async #scanInbox(): Promise<void> {
    const names = await readdir(this.#ctx.layout.inbox);
    const results = new Set(names.filter((n) => n.startsWith("CODEX_DELEGATION_RESULT_") && n.endsWith(".json")));
    for (const name of names) {
      const id = REQUEST_FILE.exec(name)?.[1];
      if (id && !results.has(`CODEX_DELEGATION_RESULT_${id}.json`)) this.#offer(id, "found");
      else if (!id) this.#droppedOrphanMarker(name); // left while no daemon ran, or an event missed
    }
  }

  /**
   * A CANCEL or APPROVE marker for a request that does not exist (a mistyped id, dropped by hand)
   * is removed and logged: it must never become a RESULT for a request nobody made, nor stay to
   * cancel or approve a later request that happens to get its id. True when `name` was one.
   */
  #droppedOrphanMarker(name: string): boolean {
    const { layout, logger } = this.#ctx;
    const id = CANCEL_FILE.exec(name)?.[1] ?? APPROVE_FILE.exec(name)?.[1];
    if (!id || this.#tracks(id) || existsSync(layout.request(id)) || existsSync(layout.result(id, "json"))) return false;
    if (this.#droppingMarkers.has(name)) return true; // the watcher and a sweep both saw it: one log line
    this.#droppingMarkers.add(name);
    logger.log("warn", "marker without a request", { id, message: `${name}: no request ${id}; removed, no RESULT written` });
    void rm(path.join(layout.inbox, name), { force: true })
      .catch((error: unknown) => this.#report(toRelayError(error), "marker", id))
      .finally(() => this.#droppingMarkers.delete(name));
    return true;
  }

  /** The daemon is handling `id` in some way (its request may be gone: a deletion cancels it). */
  #tracks(id: string): boolean {
    return this.#running.has(id) || this.#queued.has(id) || this.#inLane.has(id) || this.#settling.has(id) || this.#awaitingApproval.has(id) || this.#detectedAt.has(id);
  }

  async #recoverClaims(): Promise<void> {
    const { layout, config, logger } = this.#ctx;
    for (const id of await listClaimIds(layout)) {
      if (this.#running.has(id)) continue;
      const dead = await takeOverStale(layout, id, this.#ctx.now(), config.daemon.claim_stale_s * 1000);
      if (!dead || existsSync(layout.result(id, "json"))) continue; // with a RESULT: finished, but its owner died before letting go
      const killed = killOrphanedCodex(dead);
      this.#attempts.set(id, countedAttempts(dead));
      logger.log("warn", "stale claim recovered", { id, pid: dead.pid, attempt: dead.attempt, phase: dead.phase, killed_codex: killed ? dead.codex_pid : undefined });
      this.#offer(id, "recovered");
    }
  }

  #offer(id: string, why: string): void {
    if (this.#stopping || this.#running.has(id) || this.#queued.has(id) || this.#inLane.has(id) || this.#settling.get(id)?.timer) return;
    if (existsSync(this.#ctx.layout.result(id, "json"))) return; // done already: never run twice
    if (!this.#detectedAt.has(id)) {
      this.#detectedAt.set(id, this.#ctx.now());
      this.#ctx.logger.log("info", why, { id });
    }
    this.#queued.add(id);
    this.#pending.push(id);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopping && this.#active < this.#ctx.config.daemon.concurrency && this.#pending.length > 0) {
      const id = this.#pending.shift()!;
      this.#queued.delete(id);
      this.#active += 1;
      void this.#handle(id).finally(() => {
        this.#active -= 1;
        this.#pump();
      });
    }
    this.#checkIdle();
  }

  async #handle(id: string): Promise<void> {
    const { layout, config, logger } = this.#ctx;
    try {
      const { readRequest } = await loadReading();
      const read = await readRequest(this.#ctx, id);
      const deleted = !read.ok && read.fingerprint === null && !existsSync(layout.request(id));
      if (!deleted && !read.ok && read.error.code === "invalid_request" && !this.#settled(id, read.fingerprint ?? "")) return;
      this.#settling.delete(id);
      if (!deleted && config.approval.required && !existsSync(layout.approve(id)) && !existsSync(layout.cancel(id))) {
        if (!this.#awaitingApproval.has(id)) logger.log("info", "awaiting approval", { id, message: `codex-relay approve ${id}` });
        this.#awaitingApproval.add(id);
        return;
      }
      // A patch holds its run through Codex, verification (maybe minutes) and a repair: it waits in
      // a lane of its own, one at a time, and gives its slot back so analyses do not queue behind it.
      const request = read.ok ? read.request : undefined;
      const digest = read.ok ? read.digest : null;
      if (request && writesCode(request.kind)) return await this.#inPatchLane(id, () => this.#claimAndRun(id, request, digest, deleted));
      await this.#claimAndRun(id, request, digest, deleted);
    } catch (error) {
      this.#report(toRelayError(error), "handle", id);
    }
  }

  async #inPatchLane(id: string, work: () => Promise<void>): Promise<void> {
    this.#active -= 1;
    this.#inLane.add(id);
    this.#pump();
    const turn = this.#lane.then(work);
    this.#lane = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      this.#inLane.delete(id);
      this.#active += 1; // #pump's handler gives the slot back as for any request
    }
  }

  async #claimAndRun(id: string, request: DelegationRequest | undefined, digest: string | null, deleted: boolean): Promise<void> {
    const { layout, logger } = this.#ctx;
    if (this.#stopping) return; // it waited in the patch lane while the daemon began to stop: the next start runs it
    const attempt = (this.#attempts.get(id) ?? 0) + 1;
    const claim = await tryClaim(layout, id, attempt, this.#ctx.now());
    if (!claim) return; // another daemon (or `codex-relay run`) has it
    // Stopping began while the claim was made: the shutdown no longer waits for new runs, so this one
    // would run after the lock is released and the log closed. The next start runs it.
    if (this.#stopping || existsSync(layout.result(id, "json"))) return void (await releaseClaim(layout, claim));
    logger.log("info", "claimed", { id, attempt: attempt > 1 ? attempt : undefined });
    const abort = new AbortController();
    if (deleted || existsSync(layout.cancel(id))) abort.abort("cancelled");
    const done = this.#run(claim, abort, request);
    this.#running.set(id, { claim, abort, done, digest });
    await done;
  }

  async #run(claim: Claim, abort: AbortController, request: DelegationRequest | undefined): Promise<void> {
    const { layout, config } = this.#ctx;
    const { id } = claim;
    const detectedAt = this.#detectedAt.get(id) ?? this.#ctx.now();
    let requeue = false;
    try {
      // Loaded on first use: an idle daemon does not carry the Codex runner, the Markdown parser or execa.
      const { finishWithoutRun, processRequest } = await import("./process-request.js");
      const outcome =
        claim.attempt > config.daemon.max_attempts
          ? await finishWithoutRun(this.#ctx, {
              id,
              detectedAt,
              status: "failed",
              error: new RelayError("daemon_crashed", `the daemon died ${claim.attempt - 1} times while processing this request (not while waiting on Codex); it was not run again`),
            })
          : await processRequest(this.#ctx, { id, detectedAt, signal: abort.signal, request, onSpawn: this.#recordSpawn(claim) });
      if (outcome.kind === "requeue") {
        this.#ctx.logger.log("warn", "released for re-run", { id });
        requeue = !this.#stopping;
      }
    } catch (error) {
      // processRequest turns failures into RESULTs; reaching here means even that failed
      this.#report(toRelayError(error), "run", id);
      if (!existsSync(layout.result(id, "json"))) {
        const { finishWithoutRun } = await import("./process-request.js");
        await finishWithoutRun(this.#ctx, { id, detectedAt, status: "failed", error: toRelayError(error) }).catch(() => undefined);
      }
    } finally {
      this.#running.delete(id);
      this.#attempts.delete(id);
      if (!requeue) this.#detectedAt.delete(id);
      await releaseClaim(layout, claim);
      if (requeue) this.#offer(id, "re-run");
    }
  }

  /**
   * An editor still writing a request in place: restart the run on the complete text. fs.watch
   * reports every write, so one check per request runs at a time, once more if writes came meanwhile.
   */
  async #restartIfChanged(id: string): Promise<void> {
    if (this.#restartChecks.has(id)) return void this.#restartChecks.set(id, true);
    try {
      do {
        this.#restartChecks.set(id, false);
        await this.#checkRestart(id);
      } while (this.#restartChecks.get(id));
    } finally {
      this.#restartChecks.delete(id);
    }
  }

  async #checkRestart(id: string): Promise<void> {
    const running = this.#running.get(id);
    if (!running) return;
    const file = this.#ctx.layout.request(id);
    const read = () => readFile(file, "utf8").catch(() => null);
    // A rewrite truncates before it writes: act only on text that has stopped changing and parses.
    let text = await read();
    for (let tries = 0; tries < 20; tries += 1) {
      await delay(RESTART_SETTLE_MS);
      const again = await read();
      if (again === text) break;
      text = again;
    }
    const { digestOf, parseRequest } = await loadReading();
    if (text === null || digestOf(text) === running.digest) return; // same content: a touch, not an edit
    if (!parseRequest(text).ok || this.#running.get(id) !== running) return;
    this.#ctx.logger.log("warn", "request changed while running; restarting", { id });
    running.abort.abort(new Requeue("restart"));
  }

  /** Parse failures wait until the file has stopped changing for `settle_ms` (editors writing in place). */
  #settled(id: string, fingerprint: string): boolean {
    const now = Date.now();
    const settleMs = this.#ctx.config.daemon.settle_ms;
    let entry = this.#settling.get(id);
    if (!entry || entry.fingerprint !== fingerprint) {
      entry = { fingerprint, since: now };
      this.#settling.set(id, entry);
    }
    if (now - entry.since >= settleMs) return true;
    const settling = entry;
    settling.timer = setTimeout(() => {
      settling.timer = undefined;
      this.#offer(id, "retry");
    }, settleMs - (now - entry.since) + 10);
    return false;
  }

  #cancel(id: string, why: string): void {
    const running = this.#running.get(id);
    if (running) {
      this.#ctx.logger.log("info", "cancelling", { id, message: why });
      running.abort.abort("cancelled");
      return;
    }
    if (why === "CANCEL file") this.#offer(id, "cancel requested"); // a queued or unseen request ends as cancelled
  }

  async #beat(): Promise<void> {
    for (const { claim } of this.#running.values()) {
      await heartbeat(this.#ctx.layout, claim.id, this.#ctx.now()).catch((error) => this.#report(toRelayError(error), "heartbeat", claim.id));
    }
  }

  #recordSpawn(claim: Claim): (pid: number) => () => void {
    return trackCodexPhase(this.#ctx.layout, claim, this.#ctx.now, (error) => this.#report(toRelayError(error), "claim", claim.id));
  }

  #report(error: RelayError, where: string, id?: string): void {
    this.#ctx.logger.log("error", `${where} error`, { id, code: error.code, message: error.message });
    if (this.listenerCount("error") > 0) this.emit("error", error);
  }

  #isIdle(): boolean {
    const settlingTimers = [...this.#settling.values()].some((s) => s.timer);
    return this.#pending.length === 0 && this.#active === 0 && this.#inLane.size === 0 && !settlingTimers;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
    this.#nextWarmStage();
  }

  // Lowest priority: a stage starts only when nothing is queued or running, and runs beside
  // whatever arrives meanwhile (an analysis never waits for it; a patch takes the slot it warms).
  #nextWarmStage(): void {
    if (this.#warming || this.#stopping) return;
    const stage = this.#warmStages.shift();
    if (!stage) return;
    this.#warming = true;
    this.#ctx.background.run(async () => {
      try {
        await stage();
      } finally {
        this.#warming = false;
        this.#checkIdle();
      }
    });
  }

  // The first request would otherwise load the request path's modules (~300 ms) and ask Codex its version.
  async #warmRequestPath(): Promise<void> {
    const started = performance.now();
    try {
      const { warmRequestPath } = await import("./warm-up.js");
      await warmRequestPath(this.#ctx);
      this.#ctx.logger.log("info", "request path warmed", { ms: Math.round(performance.now() - started) });
    } catch (error) {
      this.#ctx.logger.log("warn", "warm-up failed", { code: toRelayError(error).code, message: toRelayError(error).message });
    }
  }

  // Only where the patch workflow is in use (a patch needs progress/TASK_PACKET.md): a checkout of
  // the repository and its setup (e.g. `npm ci`) are not free for a daemon that only analyses.
  async #warmSandboxPool(): Promise<void> {
    if (this.#poolWarmed || !existsSync(this.#ctx.layout.taskPacket)) return;
    this.#poolWarmed = true;
    try {
      const { prepareSandboxPool } = await import("../patch/sandbox-pool.js");
      const warmed = await prepareSandboxPool(this.#ctx, this.#warmAbort.signal);
      if (warmed) {
        this.#ctx.logger.log("info", "sandbox pool warmed", { slot: warmed.slot, cold: warmed.cold, setup: warmed.setup?.status, ms: warmed.ms });
      }
    } catch (error) {
      if (this.#warmAbort.signal.aborted) return;
      this.#ctx.logger.log("warn", "sandbox pool warm-up failed", { code: toRelayError(error).code, message: toRelayError(error).message });
    }
  }
}
