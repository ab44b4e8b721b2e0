#!/usr/bin/env node
// The codex-relay executable: parse argv, load the one command it names (lazily, so quick
// commands stay quick), run it, and exit in this one place. No V8 flags in the shebang: see
// daemon/small-heap.ts for why, and for the ones the daemon sets for itself.
import { helpText, parseCli } from "./parse-cli.js";
import type { CliIo, CommandModule } from "./command.js";

// The command as typed cannot run (a mistyped workspace or id, a config that does not validate):
// exit 2, as for a usage error, before anything was written.
const USAGE_ERRORS: ReadonlySet<string> = new Set(["workspace_not_found", "not_a_workspace", "unknown_request", "unknown_plan", "invalid_config", "invalid_argument", "no_recording"]);

async function main(): Promise<number> {
  const parsed = parseCli(process.argv.slice(2));
  const io: CliIo = {
    cwd: process.cwd(),
    env: process.env,
    // process.stdin builds a stream (and loads net/tty) when first touched: only `hook` reads it.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
  };
  switch (parsed.kind) {
    case "help":
      io.stdout.write(helpText(parsed.command));
      return 0;
    case "version": {
      const { readFile } = await import("node:fs/promises");
      const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
      io.stdout.write(`codex-relay ${pkg.version}\n`);
      return 0;
    }
    case "error":
      io.stderr.write(`codex-relay: ${parsed.message}\n\n${helpText(parsed.command)}`);
      return 2;
    case "command": {
      if (parsed.command === "start") (await import("../daemon/small-heap.js")).keepHeapSmall();
      const module = (await import(`./commands/${parsed.command}.js`)) as CommandModule;
      try {
        return await module.run({ flags: parsed.flags, positionals: parsed.positionals, io });
      } catch (error) {
        const { toRelayError } = await import("../errors.js");
        const relayError = toRelayError(error);
        io.stderr.write(`codex-relay ${parsed.command}: ${relayError.message}\n  hint: ${relayError.hint}\n`);
        return USAGE_ERRORS.has(relayError.code) ? 2 : 1;
      }
    }
  }
}

process.exitCode = await main();
