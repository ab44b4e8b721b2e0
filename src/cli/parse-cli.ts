// argv → a command and its typed flags, driven by the CLI table. Pure and tested; a usage error
// says what was wrong and shows the command's usage line.
import { COMMANDS, type CommandName, type FlagSpec, type FlagsOf, type FlagValue } from "./cli-table.js";

/** One command with its flags typed by the table; narrowing `command` narrows `flags`. */
export type ParsedCommand<C extends CommandName = CommandName> = {
  [K in C]: { kind: "command"; command: K; flags: FlagsOf<K>; positionals: string[] };
}[C];

export type ParsedCli =
  | ParsedCommand
  | { kind: "help"; command?: CommandName }
  | { kind: "version" }
  | { kind: "error"; message: string; command?: CommandName };

export function parseCli(argv: readonly string[]): ParsedCli {
  const [first, ...rest] = argv;
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    const topic = rest[0];
    return topic && isCommand(topic) ? { kind: "help", command: topic } : { kind: "help" };
  }
  if (first === "--version" || first === "-v") return { kind: "version" };
  if (!isCommand(first)) return { kind: "error", message: `unknown command \`${first}\`` };
  const command = first;
  const spec = COMMANDS[command];
  const specFlags: Readonly<Record<string, FlagSpec>> = spec.flags;
  const flags: Record<string, FlagValue> = {};
  const positionals: string[] = [];

  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (arg === "--help" || arg === "-h") return { kind: "help", command };
    if (arg === "--") {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const flag = specFlags[name];
    if (!flag) return { kind: "error", command, message: `unknown flag --${name} for \`${command}\`` };
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (flag.type === "boolean") {
      if (inline !== undefined && !["true", "false"].includes(inline)) {
        return { kind: "error", command, message: `--${name} takes no value (or =true/=false), got \`${inline}\`` };
      }
      flags[name] = inline !== "false";
      continue;
    }
    if (flag.type === "list") {
      // Every following argument up to the next flag is one item, as in the seed's delegate script.
      const items = inline !== undefined ? [inline] : [];
      while (i + 1 < rest.length && !rest[i + 1]!.startsWith("--")) items.push(rest[++i]!);
      if (items.length === 0) return { kind: "error", command, message: `--${name} needs at least one value` };
      flags[name] = [...((flags[name] as string[] | undefined) ?? []), ...items];
      continue;
    }
    const value = inline ?? rest[++i];
    if (value === undefined) return { kind: "error", command, message: `--${name} needs a value` };
    if (flag.type === "number") {
      const number = value.trim() === "" ? Number.NaN : Number(value);
      if (!Number.isFinite(number) || number < 0) return { kind: "error", command, message: `--${name} expects a number, got \`${value}\`` };
      flags[name] = number;
    } else {
      flags[name] = value;
    }
  }

  const required = spec.positionals.filter((p) => !p.endsWith("?"));
  if (positionals.length < required.length) {
    return { kind: "error", command, message: `missing <${required[positionals.length]}>` };
  }
  if (positionals.length > spec.positionals.length) {
    return { kind: "error", command, message: `unexpected argument \`${positionals[spec.positionals.length]}\`` };
  }
  // Every key was checked against the table above and its value parsed by the kind it declares.
  return { kind: "command", command, flags, positionals } as ParsedCommand;
}

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** Help text for one command, or the overview. */
export function helpText(command?: CommandName): string {
  if (command) {
    const spec = COMMANDS[command];
    const flags: [string, FlagSpec][] = Object.entries(spec.flags);
    const width = Math.max(...flags.map(([name, flag]) => name.length + (flag.type === "boolean" ? 4 : flag.type === "list" ? 15 : 12)));
    const lines = flags.map(([name, flag]) => {
      const arg = flag.type === "boolean" ? "" : flag.type === "list" ? " <value>..." : " <value>";
      return `${`  --${name}${arg}`.padEnd(width)}  ${flag.description}`;
    });
    return `${spec.summary}\n\nUsage: ${spec.usage}\n\nFlags:\n${lines.join("\n")}\n`;
  }
  const rows = Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(10)} ${spec.summary}`);
  return `codex-relay: delegate work to the Codex CLI through files\n\nUsage: codex-relay <command> [flags]\n\nCommands:\n${rows.join("\n")}\n\nRun \`codex-relay <command> --help\` for a command's flags.\n`;
}
