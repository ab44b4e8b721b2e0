// How a waiting client shows a request's progress on stderr. On a terminal: one status line,
// rewritten in place (elapsed time, tokens so far, the current step) and cleared before anything
// else is printed. Elsewhere (an agent reading a pipe): one plain timestamped line per step.
// stdout is never touched: it carries the RESULT alone.
import { Writable } from "node:stream";
import type { ProgressView } from "../codex/progress-step.js";

/** stderr as the renderer needs it: a terminal says so with `isTTY` and its width in `columns`. */
export interface ProgressOut {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const CLEAR_LINE = "\r\x1b[2K";
const TICK_MS = 1000;

export class ProgressLine {
  readonly #out: ProgressOut;
  readonly #id: string;
  readonly #since: number;
  readonly #now: () => number;
  readonly #tty: boolean;
  #view: ProgressView = { step: "queued", tokens: null };
  /** The status line as last drawn, while it is on the screen. */
  #drawn: string | undefined;
  #closed = false;
  #tick: NodeJS.Timeout | undefined;

  /** `since`: when the request began (ms since the epoch), for the elapsed time. */
  constructor(out: ProgressOut, options: { id: string; since: number; now?: () => number }) {
    this.#out = out;
    this.#id = options.id;
    this.#since = options.since;
    this.#now = options.now ?? Date.now;
    this.#tty = out.isTTY === true;
    if (this.#tty) {
      this.#draw();
      // The elapsed time moves on its own; the timer must not keep the process alive.
      this.#tick = setInterval(() => this.#draw(), TICK_MS);
      this.#tick.unref();
    }
  }

  /** The request's view changed: redraw the line, or print the step when it is a new one. */
  show(view: ProgressView, stepped: boolean): void {
    if (this.#closed) return;
    this.#view = { step: view.step, tokens: view.tokens };
    if (this.#tty) this.#draw();
    else if (stepped) this.#out.write(`codex-relay: ${clock(this.#now())} ${this.#id}: ${view.step} (${this.#figures()})\n`);
  }

  /** Print whole lines (a log line of a run in this process) without breaking the status line. */
  print(text: string): void {
    if (!this.#tty || this.#closed) return void this.#out.write(text);
    this.#out.write(CLEAR_LINE + text);
    this.#drawn = undefined;
    this.#draw();
  }

  /** A stream whose writes go through `print`, for a logger that writes to a stream. */
  stream(): Writable {
    return new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.print(String(chunk));
        done();
      },
    });
  }

  /** Stop ticking and clear the line, so what follows starts on a clean line; later prints are plain. */
  close(): void {
    clearInterval(this.#tick);
    this.#closed = true;
    if (this.#drawn !== undefined) this.#out.write(CLEAR_LINE);
    this.#drawn = undefined;
  }

  #draw(): void {
    const line = `codex-relay ${this.#id}: ${this.#figures()} · ${this.#view.step}`;
    // One row only: a line longer than the terminal wraps, and \r would then redraw just its tail.
    const width = Math.max(20, (this.#out.columns ?? 80) - 1);
    const chars = [...line.replace(/\s+/g, " ")];
    const shown = chars.length > width ? `${chars.slice(0, width - 1).join("")}…` : chars.join("");
    if (shown === this.#drawn) return; // the same second, the same step: nothing to redraw
    this.#out.write(CLEAR_LINE + shown);
    this.#drawn = shown;
  }

  #figures(): string {
    const elapsed = formatElapsed(this.#now() - this.#since);
    return this.#view.tokens === null ? elapsed : `${elapsed}, ${formatTokens(this.#view.tokens)}`;
  }
}

/** `12 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
}

/** `640 tokens`, `12.3k tokens`, `1.2M tokens`. */
export function formatTokens(n: number): string {
  if (n < 1000) return `${n} tokens`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k tokens`;
  return `${(n / 1_000_000).toFixed(1)}M tokens`;
}

/** `HH:MM:SS` in UTC, as the daemon's console shows times. */
function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
