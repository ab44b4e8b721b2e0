// Reads of transcripts, one at a time per file and at most `parallel` files at once: a change that
// arrives while its file is being read makes one more read after it, never an overlapping one, and
// a first start that lists thousands of sessions does not open them all at once.

export interface ReadQueueOptions {
  /** Reads one file; `appeared`: it is new since the watcher started. Never rejects (report inside). */
  read(file: string, appeared: boolean): Promise<void>;
  /** After the last queued read of `file` finished. */
  settled(file: string): void;
  parallel: number;
}

interface Queued {
  again: boolean;
  appeared: boolean;
}

export class ReadQueue {
  readonly #options: ReadQueueOptions;
  readonly #files = new Map<string, Queued>();
  readonly #waitingForSlot: (() => void)[] = [];
  #reading = 0;
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(options: ReadQueueOptions) {
    this.#options = options;
  }

  /** Queue a read of `file` (merged with one already queued or running). */
  schedule(file: string, appeared: boolean): void {
    if (this.#closed) return;
    const queued = this.#files.get(file);
    if (queued) {
      queued.again = true;
      queued.appeared ||= appeared;
      return;
    }
    const entry: Queued = { again: false, appeared };
    this.#files.set(file, entry);
    void (async () => {
      do {
        entry.again = false;
        await this.#slot();
        try {
          await this.#options.read(file, entry.appeared);
        } finally {
          this.#releaseSlot();
        }
      } while (entry.again && !this.#closed);
      this.#files.delete(file);
      if (!this.#closed) this.#options.settled(file);
      if (this.#files.size === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    })();
  }

  /** Resolves when no read is running or queued. */
  idle(): Promise<void> {
    if (this.#files.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** No new reads; resolves when the running ones are done. */
  close(): Promise<void> {
    this.#closed = true;
    return this.idle();
  }

  #slot(): Promise<void> {
    if (this.#reading < this.#options.parallel) {
      this.#reading += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waitingForSlot.push(resolve));
  }

  #releaseSlot(): void {
    const next = this.#waitingForSlot.shift();
    if (next) next(); // the slot passes on as it is
    else this.#reading -= 1;
  }
}
