// The daemon's log: one readable line per event for people, one JSON object per line in the log
// file for tools. Both pass through the redactor.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { DaemonLogEvent, DaemonLogFields, DaemonLogLevel } from "../protocol/daemon-log.js";
import { DAEMON_LOG_VERSION } from "../protocol/daemon-log-version.js";
import type { Redactor } from "../security/redact.js";
import { LineAppender } from "../util/line-appender.js";

export type LogLevel = DaemonLogLevel;
export type LogFields = Record<string, unknown>;

/** An event's fields: optional when the event has none (PROTOCOL.md §9 lists them all). */
type FieldsArg<E extends DaemonLogEvent> = Record<string, never> extends DaemonLogFields<E> ? [fields?: DaemonLogFields<E>] : [fields: DaemonLogFields<E>];

export interface Logger {
  /** One event of PROTOCOL.md §9; the type checker holds each call to the documented fields. */
  log<E extends DaemonLogEvent>(level: LogLevel, event: E, ...fields: FieldsArg<E>): void;
  close(): Promise<void>;
}

export interface LoggerOptions {
  /** Where readable lines go (the terminal); omit for silence. */
  readonly human?: NodeJS.WritableStream;
  /** Events left off the readable lines (the file still gets them): the caller says them its own way. */
  readonly humanSkips?: ReadonlySet<string>;
  /** The structured JSON log file; omit for none. */
  readonly file?: string;
  readonly redactor: Redactor;
  readonly now?: () => Date;
}

// The file gets each line by a synchronous append (see LineAppender): a request logs a dozen
// lines, and a line is in the file when log() returns, so a killed daemon loses none it logged.
export function createLogger(options: LoggerOptions): Logger {
  const now = options.now ?? (() => new Date());
  let file: LineAppender | undefined;
  if (options.file) {
    mkdirSync(path.dirname(options.file), { recursive: true });
    file = new LineAppender(options.file);
  }
  return {
    log(level, event, ...[fields = {}]) {
      const at = now();
      const safe = options.redactor.redactDeep(fields as LogFields);
      file?.write(`${JSON.stringify({ v: DAEMON_LOG_VERSION, at: at.toISOString(), level, event, ...safe })}\n`);
      if (!options.humanSkips?.has(event)) options.human?.write(`${humanLine(at, level, event, safe)}\n`);
    },
    close: async () => file?.close(), // lines logged after close go to the human stream only
  };
}

function humanLine(at: Date, level: LogLevel, event: string, fields: LogFields): string {
  const time = at.toISOString().slice(11, 23);
  const mark = level === "info" ? " " : level === "warn" ? "!" : "x";
  const { id, message, ...rest } = fields;
  const details = Object.entries(rest)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return [time, mark, event.padEnd(16), id ? `[${String(id)}]` : "", message ? String(message) : "", details]
    .filter(Boolean)
    .join(" ");
}

/** A logger that drops everything (for one-shot commands that report themselves). */
export const silentLogger: Logger = { log: () => undefined, close: async () => undefined };
