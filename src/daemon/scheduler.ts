// Timed jobs of the daemon (the `[[schedule]]` entries and the daily digest) on the context's clock.
// Each job's last run is kept in .relay/schedules.json: a job is due when its cron fired since
// then, and runs once however many ticks were missed (a daemon that was down runs it once at
// start). A job never seen before starts counting from now. Only the clock is asked what time it
// is, so tests move time instead of waiting for it.
import { readFile } from "node:fs/promises";
import type { CronClock } from "../config/cron-time.js";
import type { RelayContext } from "../context/relay-context.js";
import { toRelayError, type RelayError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";

export interface TimedJob {
  /** Its key in the state file (`schedule <name>`, `digest`). */
  readonly key: string;
  readonly clock: CronClock;
  /** One run, at `at`; `since` is the previous run (undefined for none). */
  run(at: Date, since: Date | undefined): Promise<void>;
}

// Woken at least this often, so a clock that jumped (a suspended laptop, NTP) is noticed soon.
const MAX_SLEEP_MS = 60_000;

type State = Record<string, { last_run: string }>;

export class Scheduler {
  readonly #ctx: RelayContext;
  readonly #jobs: readonly TimedJob[];
  readonly #onError: (error: RelayError, key: string) => void;
  #state: State = {};
  /** Each job's next fire instant after its last run (cron's search takes milliseconds: asked once per run). */
  readonly #next = new Map<string, Date>();
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(ctx: RelayContext, jobs: readonly TimedJob[], onError: (error: RelayError, key: string) => void) {
    this.#ctx = ctx;
    this.#jobs = jobs;
    this.#onError = onError;
  }

  /** Read the last runs, run what is due (missed while no daemon ran), and keep time from then on. */
  async start(): Promise<void> {
    this.#state = await readState(this.#ctx.layout.scheduleState);
    await this.check();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Run every job whose cron fired since its last run, once each; checks run one at a time. */
  check(): Promise<void> {
    const turn = this.#checking.then(() => this.#check());
    this.#checking = turn.catch(() => undefined);
    return turn;
  }

  async #check(): Promise<void> {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    const now = this.#ctx.now();
    const due: { job: TimedJob; since: Date | undefined }[] = [];
    let changed = false;
    for (const job of this.#jobs) {
      const last = this.#lastRun(job);
      if (last && this.#nextFire(job, last) > now) continue;
      if (last) due.push({ job, since: last });
      this.#state[job.key] = { last_run: now.toISOString() };
      this.#next.delete(job.key);
      changed = true;
    }
    // Written before the runs: a daemon killed in between skips those ticks rather than running
    // them twice at its next start (at most once, as a missed tick is).
    if (changed) await writeFileAtomic(this.#ctx.layout.scheduleState, `${JSON.stringify(this.#state, null, 2)}\n`, this.#ctx.layout.tmp);
    for (const { job, since } of due) {
      try {
        await job.run(now, since);
      } catch (error) {
        this.#onError(toRelayError(error), job.key);
      }
    }
    this.#arm(now);
  }

  #nextFire(job: TimedJob, last: Date): Date {
    let next = this.#next.get(job.key);
    if (!next) this.#next.set(job.key, (next = job.clock.nextAfter(last)));
    return next;
  }

  #lastRun(job: TimedJob): Date | undefined {
    const text = this.#state[job.key]?.last_run;
    const at = text ? new Date(text) : undefined;
    return at && !Number.isNaN(at.getTime()) ? at : undefined;
  }

  #arm(now: Date): void {
    if (this.#stopped || this.#jobs.length === 0) return;
    const next = Math.min(...this.#jobs.map((job) => this.#nextFire(job, this.#lastRun(job) ?? now).getTime()));
    const sleep = Math.max(0, Math.min(next - now.getTime(), MAX_SLEEP_MS));
    this.#timer = setTimeout(() => void this.check().catch((error: unknown) => this.#onError(toRelayError(error), "scheduler")), sleep);
    this.#timer.unref();
  }
}

async function readState(file: string): Promise<State> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as State) : {};
  } catch {
    return {}; // none yet, or unreadable: every job counts from now
  }
}
