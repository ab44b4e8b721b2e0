// What every command module exports, and the IO it is given (only bin.ts reads process.*).
import type { Readable } from "node:stream";
import type { FlagValue } from "./parse-cli.js";

export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Read only by commands that take input there (`hook`); `isTTY` when it is a terminal. */
  readonly stdin: Readable & { readonly isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface CommandInput {
  readonly flags: Readonly<Record<string, FlagValue>>;
  readonly positionals: readonly string[];
  readonly io: CliIo;
}

export interface CommandModule {
  run(input: CommandInput): Promise<number>;
}
