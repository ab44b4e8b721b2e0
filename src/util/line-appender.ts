// A file that whole lines are appended to, synchronously, opened on the first line: for logs that
// get a line per event. Each write of a stream was a round trip through the thread pool (a wake-up
// of another thread, then of the event loop) costing more than the append itself; an append of a
// line to the page cache takes microseconds, and the line is in the file when write() returns.
// O_APPEND keeps each line whole beside other writers of the same file.
import { closeSync, openSync, writeSync } from "node:fs";

export class LineAppender {
  readonly file: string;
  #fd: number | undefined;
  #closed = false;

  constructor(file: string) {
    this.file = file;
  }

  /** Whether a line has been written (the file is open). */
  get opened(): boolean {
    return this.#fd !== undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Appends `line` (newline included); after close() it is dropped. A failed write (a full disk, a
   * removed folder) drops the line and returns false: these logs are for reading along, and losing
   * a line must not stop the work they describe.
   */
  write(line: string): boolean {
    if (this.#closed) return false;
    try {
      this.#fd ??= openSync(this.file, "a");
      writeSync(this.#fd, line);
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
