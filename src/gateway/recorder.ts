// One request's recording (protocol/recording.ts): each model call's request body as it left the
// machine (redacted) and its response as received, within `gateway.recording_max_bytes`. The
// stream to Codex is never held: the recording keeps references to the chunks Codex already got
// and writes a call's files once the call has ended (off the path of that call's first byte and
// last byte). A recording that cannot be written is given up with a log line; the run goes on.
import { appendFile, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { RECORDING_SCHEMA_ID, recordingFiles, type RecordedCall, type RecordingHeader, type RecordingStop } from "../protocol/recording.js";

export interface RecorderOptions {
  /** `.relay/recordings/<id>/`. */
  readonly dir: string;
  readonly header: Omit<RecordingHeader, "schema">;
  readonly maxBytes: number;
  /** Keeps a pending write alive until the gateway stops (a finished process loses no call). */
  track(write: Promise<unknown>): void;
  /** The recording was given up (a write failed). */
  onError(error: unknown): void;
  /** The relay's redactor: a response may echo a secret (a file Codex read), and no file written may hold one. */
  redact(text: string): string;
}

export class Recorder {
  readonly #options: RecorderOptions;
  readonly #files: ReturnType<typeof recordingFiles>;
  readonly #ready: Promise<void>;
  #bytes = 0;
  #stopped = false;
  #broken = false;

  constructor(options: RecorderOptions) {
    this.#options = options;
    this.#files = recordingFiles(options.dir);
    this.#ready = this.#run(async () => {
      await rm(options.dir, { recursive: true, force: true }); // a request run again (requeued) records anew
      await mkdir(options.dir, { recursive: true });
      await writeFile(this.#files.header, `${JSON.stringify({ schema: RECORDING_SCHEMA_ID, ...options.header }, null, 2)}\n`);
    });
  }

  /** Start recording call `call` with its request body (decoded, redacted); null once the recording has stopped. */
  beginCall(call: number, method: string, callPath: string, bytes: Buffer): CallRecording | null {
    if (!this.#reserve(bytes.length, call)) return null;
    return new CallRecording(this, call, bytes, { method, path: callPath, request_bytes: bytes.length });
  }

  /** Count `n` more bytes of call `call`; false (and the recording stops) when they do not fit. */
  #reserve(n: number, call: number): boolean {
    if (this.#stopped) return false;
    if (this.#bytes + n > this.#options.maxBytes) {
      this.#stop(call);
      return false;
    }
    this.#bytes += n;
    return true;
  }

  #stop(call: number): void {
    this.#stopped = true;
    const line: RecordingStop = { stopped: "recording_max_bytes", call, max_bytes: this.#options.maxBytes };
    this.#run(async () => {
      await this.#ready;
      await appendFile(this.#files.index, `${JSON.stringify(line)}\n`);
    });
  }

  /** @internal a call's response, fitted into the bound byte by byte. */
  fits(n: number, call: number): boolean {
    return this.#reserve(n, call);
  }

  /** @internal call `line.call` ended whole: its files, then its index line. */
  finished(line: RecordedCall, request: Buffer, response: readonly Buffer[]): void {
    this.#run(async () => {
      await this.#ready;
      if (this.#broken) return;
      await writeFile(this.#files.request(line.call), request);
      // Redacted on its way to disk only: Codex got the stream as it came.
      await writeFile(this.#files.response(line.call), this.#options.redact(Buffer.concat(response).toString("utf8")));
      await appendFile(this.#files.index, `${JSON.stringify(line)}\n`);
    });
  }

  #run(task: () => Promise<void>): Promise<void> {
    const done = task().catch((error: unknown) => this.#fail(error));
    this.#options.track(done);
    return done;
  }

  #fail(error: unknown): void {
    if (this.#broken) return;
    this.#broken = true;
    this.#stopped = true;
    this.#options.onError(error);
  }
}

/** One call being recorded: its status, then its response chunks as they pass, then its end. */
export class CallRecording {
  readonly #recorder: Recorder;
  readonly #call: number;
  readonly #request: Buffer;
  readonly #line: Pick<RecordedCall, "method" | "path" | "request_bytes">;
  readonly #chunks: Buffer[] = [];
  #status = 0;
  #contentType: string | null = null;
  #bytes = 0;
  #cut = false;

  constructor(recorder: Recorder, call: number, request: Buffer, line: Pick<RecordedCall, "method" | "path" | "request_bytes">) {
    this.#recorder = recorder;
    this.#call = call;
    this.#request = request;
    this.#line = line;
  }

  respond(status: number, contentType: string | undefined): void {
    this.#status = status;
    this.#contentType = contentType ?? null;
  }

  /** After the chunk went to Codex: kept by reference (no copy) until the call ends. */
  write(chunk: Buffer): void {
    if (this.#cut) return;
    if (!this.#recorder.fits(chunk.length, this.#call)) {
      this.#cut = true; // the cut call is not part of the recording
      this.#chunks.length = 0;
      return;
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  end(): void {
    if (this.#cut) return;
    this.#recorder.finished({ call: this.#call, ...this.#line, status: this.#status, content_type: this.#contentType, response_bytes: this.#bytes }, this.#request, this.#chunks);
  }
}

/**
 * Remove the oldest recordings under `root` (by id, which sorts by time) until the others hold at
 * most `budget` bytes; `keep` (recordings being written) are never removed.
 */
export async function pruneRecordings(root: string, keep: ReadonlySet<string>, budget: number): Promise<void> {
  const names = (await readdir(root).catch(() => [] as string[])).filter((name) => !keep.has(name)).sort();
  const sizes = await Promise.all(names.map((name) => folderBytes(path.join(root, name))));
  let total = sizes.reduce((sum, n) => sum + n, 0);
  for (const [i, name] of names.entries()) {
    if (total <= budget) return;
    await rm(path.join(root, name), { recursive: true, force: true });
    total -= sizes[i]!;
  }
}

async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const sizes = await Promise.all(entries.map((name) => stat(path.join(dir, name)).then((s) => s.size, () => 0)));
  return sizes.reduce((sum, n) => sum + n, 0);
}
