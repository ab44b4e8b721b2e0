// What every command module exports, and the IO it is given (only bin.ts reads process.*).
import type { Readable } from "node:stream";
import type { CommandName, FlagsOf } from "./cli-table.js";

export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Read only by commands that take input there (`hook`); `isTTY` when it is a terminal. */
  readonly stdin: Readable & { readonly isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** What command `C` is run with: its flags typed by the CLI table. */
export interface CommandInput<C extends CommandName = CommandName> {
  readonly flags: FlagsOf<C>;
  readonly positionals: readonly string[];
  readonly io: CliIo;
}

export interface CommandModule<C extends CommandName = CommandName> {
  run(input: CommandInput<C>): Promise<number>;
}
