import { describe, expect, expectTypeOf, it } from "vitest";
import { COMMANDS, type CommandName, type FlagSpec, type FlagsOf, type FlagType } from "../../src/cli/cli-table.js";
import { helpText, parseCli } from "../../src/cli/parse-cli.js";

const ALL_COMMANDS = Object.keys(COMMANDS) as CommandName[];

describe("parseCli: every command", () => {
  const minimal: Record<CommandName, string[]> = {
    init: ["init"],
    start: ["start"],
    delegate: ["delegate", "--issue", "boom"],
    run: ["run", "req.md"],
    status: ["status"],
    ui: ["ui"],
    audit: ["audit"],
    show: ["show", "20251128_143022"],
    wait: ["wait", "20251128_143022"],
    cancel: ["cancel", "20251128_143022"],
    approve: ["approve", "20251128_143022"],
    doctor: ["doctor"],
    hook: ["hook", "claude-code"],
    diagnose: ["diagnose"],
    patch: ["patch"],
    micro: ["micro", "add a null check"],
    plan: ["plan", "split the auth module"],
    replay: ["replay", "20251128_143022"],
  };

  it("covers every command of the table", () => {
    expect(Object.keys(minimal).sort()).toEqual([...ALL_COMMANDS].sort());
  });

  for (const command of ALL_COMMANDS) {
    it(`parses \`${minimal[command].join(" ")}\``, () => {
      const argv = minimal[command];
      expect(parseCli(argv)).toEqual({
        kind: "command",
        command,
        flags: command === "delegate" ? { issue: "boom" } : {},
        positionals: argv.slice(1).filter((a) => !a.startsWith("--") && a !== "boom"),
      });
    });
  }

  it("accepts --workspace on every command", () => {
    for (const command of ALL_COMMANDS) {
      const parsed = parseCli([...minimal[command], "--workspace", "/repo"]);
      expect(parsed).toMatchObject({ kind: "command", command, flags: { workspace: "/repo" } });
    }
  });
});

describe("parseCli: flag values", () => {
  it("takes `--flag value` and `--flag=value` alike", () => {
    const spaced = parseCli(["delegate", "--issue", "500 on /runs", "--files", "a.ts,b.ts"]);
    const inline = parseCli(["delegate", "--issue=500 on /runs", "--files=a.ts,b.ts"]);
    expect(spaced).toEqual(inline);
    expect(spaced).toMatchObject({ flags: { issue: "500 on /runs", files: "a.ts,b.ts" } });
  });

  it("keeps everything after the first `=` of an inline value", () => {
    expect(parseCli(["delegate", "--issue=a=b=c"])).toMatchObject({ flags: { issue: "a=b=c" } });
  });

  it("takes a value that starts with a dash when given inline", () => {
    expect(parseCli(["delegate", "--issue=--sandbox is ignored"])).toMatchObject({ flags: { issue: "--sandbox is ignored" } });
  });

  it("lets the last of a repeated string flag win", () => {
    expect(parseCli(["delegate", "--issue", "first", "--issue", "second"])).toMatchObject({ flags: { issue: "second" } });
  });

  it("`--attempted-fixes \"a\" \"b\" --wait` collects two items and still sees --wait", () => {
    const parsed = parseCli(["delegate", "--issue", "x", "--attempted-fixes", "restarted the server", "cleared the cache", "--wait"]);
    expect(parsed).toEqual({
      kind: "command",
      command: "delegate",
      flags: { issue: "x", "attempted-fixes": ["restarted the server", "cleared the cache"], wait: true },
      positionals: [],
    });
  });

  it("a list flag at the end of argv takes the rest", () => {
    expect(parseCli(["delegate", "--issue", "x", "--questions", "why?", "where?"])).toMatchObject({
      flags: { questions: ["why?", "where?"] },
    });
  });

  it("a repeated list flag appends, and an inline item counts as the first", () => {
    const parsed = parseCli(["delegate", "--issue", "x", "--attempted-fixes=one", "two", "--json", "--attempted-fixes", "three"]);
    expect(parsed).toMatchObject({ flags: { "attempted-fixes": ["one", "two", "three"], json: true } });
  });

  it("a list flag with no items is an error", () => {
    expect(parseCli(["delegate", "--issue", "x", "--attempted-fixes", "--wait"])).toEqual({
      kind: "error",
      command: "delegate",
      message: "--attempted-fixes needs at least one value",
    });
  });

  it("booleans: bare means true, =true/=false are accepted, anything else is an error", () => {
    expect(parseCli(["status", "--json"])).toMatchObject({ flags: { json: true } });
    expect(parseCli(["status", "--json=true"])).toMatchObject({ flags: { json: true } });
    expect(parseCli(["status", "--json=false"])).toMatchObject({ flags: { json: false } });
    expect(parseCli(["status", "--json=yes"])).toEqual({
      kind: "error",
      command: "status",
      message: "--json takes no value (or =true/=false), got `yes`",
    });
  });

  it("a boolean does not swallow the next argument", () => {
    expect(parseCli(["show", "--json", "20251128_143022"])).toEqual({
      kind: "command",
      command: "show",
      flags: { json: true },
      positionals: ["20251128_143022"],
    });
  });

  it("numbers: parsed as numbers, spaced or inline", () => {
    expect(parseCli(["wait", "id1", "--timeout", "90"])).toMatchObject({ flags: { timeout: 90 } });
    expect(parseCli(["wait", "id1", "--timeout=2.5"])).toMatchObject({ flags: { timeout: 2.5 } });
    expect(parseCli(["delegate", "--issue", "x", "--wait", "--timeout", "0"])).toMatchObject({ flags: { timeout: 0, wait: true } });
  });

  it("numbers: words, negatives and infinity are errors that name the flag and the value", () => {
    for (const value of ["soon", "-5", "Infinity", "NaN"]) {
      expect(parseCli(["wait", "id1", "--timeout", value])).toEqual({
        kind: "error",
        command: "wait",
        message: `--timeout expects a number, got \`${value}\``,
      });
    }
  });

  // Number("") is 0 in JavaScript, so an empty value silently means "give up at once" (exit 124).
  it("numbers: an empty value is an error, not 0", () => {
    expect(parseCli(["wait", "id1", "--timeout="])).toMatchObject({ kind: "error", command: "wait" });
  });

  it("a string flag at the end of argv without a value is an error", () => {
    expect(parseCli(["delegate", "--issue"])).toEqual({ kind: "error", command: "delegate", message: "--issue needs a value" });
    expect(parseCli(["wait", "id1", "--timeout"])).toEqual({ kind: "error", command: "wait", message: "--timeout needs a value" });
  });

  it("everything after `--` is positional, even if it looks like a flag", () => {
    expect(parseCli(["run", "--json", "--", "--weird-name.md"])).toEqual({
      kind: "command",
      command: "run",
      flags: { json: true },
      positionals: ["--weird-name.md"],
    });
  });
});

// The types below are checked by `npm run typecheck`; the runtime halves hold parseCli to them.
describe("parseCli: flags typed by the table", () => {
  it("narrowing the command narrows its flags to the kinds the table declares", () => {
    const parsed = parseCli(["delegate", "--issue", "x", "--attempted-fixes", "a", "b", "--timeout", "5", "--wait"]);
    if (parsed.kind !== "command" || parsed.command !== "delegate") throw new Error(`expected delegate, got ${JSON.stringify(parsed)}`);
    expectTypeOf(parsed.flags.issue).toEqualTypeOf<string | undefined>();
    expectTypeOf(parsed.flags["attempted-fixes"]).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(parsed.flags.timeout).toEqualTypeOf<number | undefined>();
    expectTypeOf(parsed.flags.wait).toEqualTypeOf<boolean | undefined>();
    expect(parsed.flags).toEqual({ issue: "x", "attempted-fixes": ["a", "b"], timeout: 5, wait: true });
  });

  it("a command's flags are exactly those of its table entry", () => {
    expectTypeOf<keyof FlagsOf<"status">>().toEqualTypeOf<"state" | "kind" | "since" | "limit" | "json" | "workspace">();
    expectTypeOf<keyof FlagsOf<"micro">>().toEqualTypeOf<"files" | "detach" | "model" | "timeout" | "json" | "dry-run" | "workspace">();
    expectTypeOf<FlagsOf<"hook">["event"]>().toEqualTypeOf<string | undefined>();
  });

  it("every flag of every command parses to the JavaScript type of its kind", () => {
    const sample: Record<FlagType, { argv: string[]; check: (value: unknown) => boolean }> = {
      string: { argv: ["text"], check: (value) => value === "text" },
      number: { argv: ["3"], check: (value) => value === 3 },
      boolean: { argv: [], check: (value) => value === true },
      list: { argv: ["one", "two"], check: (value) => Array.isArray(value) && value.join() === "one,two" },
    };
    const positional = (command: CommandName) => COMMANDS[command].positionals.filter((p) => !p.endsWith("?")).map(() => "20251128_143022");
    for (const command of ALL_COMMANDS) {
      const flags: [string, FlagSpec][] = Object.entries(COMMANDS[command].flags);
      for (const [name, flag] of flags) {
        const parsed = parseCli([command, ...positional(command), `--${name}`, ...sample[flag.type].argv]);
        expect(parsed, `${command} --${name}`).toMatchObject({ kind: "command", command });
        const value = parsed.kind === "command" ? (parsed.flags as Record<string, unknown>)[name] : undefined;
        expect(sample[flag.type].check(value), `${command} --${name} (${flag.type}) parsed to ${JSON.stringify(value)}`).toBe(true);
      }
    }
  });
});

describe("parseCli: errors", () => {
  it("an unknown command", () => {
    expect(parseCli(["delgate", "--issue", "x"])).toEqual({ kind: "error", message: "unknown command `delgate`" });
  });

  it("does not take Object.prototype names for commands", () => {
    expect(parseCli(["toString"])).toEqual({ kind: "error", message: "unknown command `toString`" });
    expect(parseCli(["__proto__"])).toMatchObject({ kind: "error" });
  });

  it("an unknown flag names the flag and the command", () => {
    expect(parseCli(["status", "--verbose"])).toEqual({ kind: "error", command: "status", message: "unknown flag --verbose for `status`" });
    expect(parseCli(["status", "--verbose=1"])).toEqual({ kind: "error", command: "status", message: "unknown flag --verbose for `status`" });
  });

  it("a flag of another command is unknown here", () => {
    expect(parseCli(["status", "--wait"])).toMatchObject({ kind: "error", message: "unknown flag --wait for `status`" });
    expect(parseCli(["cancel", "id1", "--json"])).toMatchObject({ kind: "error", message: "unknown flag --json for `cancel`" });
  });

  it("a missing positional names it", () => {
    expect(parseCli(["show"])).toEqual({ kind: "error", command: "show", message: "missing <id>" });
    expect(parseCli(["run", "--json"])).toEqual({ kind: "error", command: "run", message: "missing <request-file>" });
  });

  it("an extra positional is named", () => {
    expect(parseCli(["show", "id1", "id2"])).toEqual({ kind: "error", command: "show", message: "unexpected argument `id2`" });
    expect(parseCli(["status", "extra"])).toEqual({ kind: "error", command: "status", message: "unexpected argument `extra`" });
  });
});

describe("parseCli: help and version", () => {
  it("no arguments, `help`, --help and -h show the overview", () => {
    for (const argv of [[], ["help"], ["--help"], ["-h"]]) expect(parseCli(argv)).toEqual({ kind: "help" });
  });

  it("`help <command>` and `<command> --help` show that command's help", () => {
    expect(parseCli(["help", "delegate"])).toEqual({ kind: "help", command: "delegate" });
    expect(parseCli(["--help", "wait"])).toEqual({ kind: "help", command: "wait" });
    expect(parseCli(["wait", "--help"])).toEqual({ kind: "help", command: "wait" });
    expect(parseCli(["show", "-h"])).toEqual({ kind: "help", command: "show" });
  });

  it("--help wins over errors earlier on the line", () => {
    expect(parseCli(["show", "id1", "id2", "--help"])).toEqual({ kind: "help", command: "show" });
  });

  it("`help` with an unknown topic shows the overview", () => {
    expect(parseCli(["help", "nope"])).toEqual({ kind: "help" });
  });

  it("--version and -v", () => {
    expect(parseCli(["--version"])).toEqual({ kind: "version" });
    expect(parseCli(["-v"])).toEqual({ kind: "version" });
  });
});

describe("helpText", () => {
  it("the overview lists every command with its summary", () => {
    const text = helpText();
    expect(text).toMatch(/^codex-relay: /);
    expect(text).toContain("Usage: codex-relay <command> [flags]");
    for (const command of ALL_COMMANDS) {
      expect(text).toMatch(new RegExp(`^  ${command} +${escape(COMMANDS[command].summary)}$`, "m"));
    }
  });

  it("a command's help shows its usage and every flag with its description", () => {
    for (const command of ALL_COMMANDS) {
      const text = helpText(command);
      const spec = COMMANDS[command];
      expect(text).toContain(spec.summary);
      expect(text).toContain(`Usage: ${spec.usage}`);
      for (const [name, flag] of Object.entries(spec.flags)) {
        expect(text).toMatch(new RegExp(`^  --${escape(name)}.*${escape(flag.description)}$`, "m"));
      }
    }
  });

  it("marks which flags take a value and which take a list", () => {
    const text = helpText("delegate");
    expect(text).toMatch(/^ {2}--issue <value> /m);
    expect(text).toMatch(/^ {2}--attempted-fixes <value>\.\.\./m);
    expect(text).toMatch(/^ {2}--wait {2,}/m);
  });

  // `  --attempted-fixes <value>...` is exactly 30 characters, so padEnd(30) adds nothing and the
  // help prints `--attempted-fixes <value>...fixes already tried (one argument each)`.
  it("separates every flag from its description by at least two spaces", () => {
    for (const command of ALL_COMMANDS) {
      const text = helpText(command);
      for (const [name, flag] of Object.entries(COMMANDS[command].flags)) {
        expect(text).toMatch(new RegExp(`^  --${escape(name)}( <value>(\\.\\.\\.)?)? {2,}${escape(flag.description)}$`, "m"));
      }
    }
  });

  it("every usage line starts with `codex-relay <command>`", () => {
    for (const command of ALL_COMMANDS) expect(COMMANDS[command].usage.startsWith(`codex-relay ${command}`)).toBe(true);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
