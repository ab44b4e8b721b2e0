// A verification line from the task packet ("npm test -- --run", "CI=1 pytest -q") turned into an
// argv. codex-relay never hands a line to a shell: quotes and backslashes are honoured as a shell
// would, but nothing is expanded and nothing that needs a shell is accepted.
//  - `$NAME`, `${NAME}`, `$1` reach the program as written (no expansion).
//  - Globs (`src/*.ts`), braces (`{a,b}`) and `~` reach the program unexpanded, as literal text;
//    a program that wants a file list must expand the pattern itself (vitest, eslint and
//    prettier do), or the line must be wrapped: sh -c 'ls src/*.ts'.
//  - Operators (`&&`, `||`, `|`, `;`, `&`, `>`, `<`, `( )`) and command substitution (`$(…)`,
//    backticks) are refused with a message that says how to write the line instead.
//  - Leading `NAME=value` words are returned as `env` for that command.
//  - A `#` that starts a word starts a comment (dropped); inside a word it is literal, as in sh.
import { parse } from "shell-quote";
import { RelayError } from "../errors.js";

export type ParsedCommandLine =
  | { readonly ok: true; readonly argv: string[]; readonly env: Record<string, string> }
  | { readonly ok: false; readonly error: RelayError };

const HOW_TO_FIX = "write it as separate verification lines, or wrap it explicitly: sh -c '…'";
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

export function parseCommandLine(line: string): ParsedCommandLine {
  const prepared = prepareLine(line);
  if ("refused" in prepared) return refuse(line, prepared.refused);
  if ("unterminated" in prepared) {
    return invalid(
      `the verification command "${line}" has an unterminated ${prepared.unterminated} quote`,
      "close the quote; a verification command is one line",
    );
  }
  let entries: ReturnType<typeof parse>;
  try {
    // prepareLine escaped every `$` a shell would expand, so the env function is only a backstop:
    // whatever shell-quote still asks for comes back as the text it stood for.
    entries = parse(prepared.text, (name) => `$${name}`);
  } catch (error) {
    return invalid(`cannot parse the verification command "${line}": ${(error as Error).message}`, HOW_TO_FIX, error);
  }

  const words: string[] = [];
  for (const entry of entries) {
    if (typeof entry === "string") words.push(entry);
    else if ("comment" in entry) continue;
    else if ("pattern" in entry) words.push(entry.pattern);
    else return refuse(line, `the shell operator "${(entry as { op: string }).op}"`);
  }

  const env: Record<string, string> = {};
  let first = 0;
  for (; first < words.length; first++) {
    const match = ASSIGNMENT.exec(words[first]!);
    if (!match) break;
    const [, name, value] = match as unknown as [string, string, string];
    if (value.includes("$")) {
      return invalid(
        `the verification command "${line}" sets ${name}=${value}, but codex-relay does not expand variables, so ${name} would hold that text literally`,
        `write the value out in full, pass the variable through with \`patch.env\` in codex-relay.toml, or wrap the line explicitly: sh -c '…'`,
      );
    }
    env[name] = value;
  }
  const argv = words.slice(first);
  if (argv.length === 0) {
    const what = first > 0 ? `"${line.trim()}" only sets variables and names no command` : "is empty";
    return invalid(`the verification command ${what}`, "write one command per verification line, e.g. `npm test`");
  }
  return { ok: true, argv, env };
}

/**
 * The line with every `$` a shell would expand escaped (so shell-quote keeps it literal) and every
 * mid-word `#` escaped (shell-quote would start a comment there, sh does not); or the construct
 * that needs a shell.
 */
function prepareLine(line: string): { text: string } | { refused: string } | { unterminated: string } {
  let text = "";
  let quote: "'" | '"' | null = null;
  let wordStart = true;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const next = line[i + 1];
    if (quote === "'") {
      text += c;
      if (c === "'") quote = null;
      continue;
    }
    if (c === "\\") {
      text += c + (next ?? "");
      i++;
      wordStart = false;
      continue;
    }
    if (c === "`") return { refused: "command substitution (backticks)" };
    if (c === "$" && next === "(") return { refused: 'command substitution "$("' };
    if (quote === null && (c === "\n" || c === "\r")) return { refused: "a line break" };
    if (c === "$" && quote === null && next === "'") {
      // ANSI-C quoting ($'\t'): shell-quote decodes it like bash; copy it through untouched.
      const end = ansiCEnd(line, i + 2);
      text += line.slice(i, end);
      i = end - 1;
      wordStart = false;
      continue;
    }
    if (c === "$") text += "\\$";
    else if (c === "#" && quote === null) {
      if (wordStart) break; // a comment: the rest of the line is not part of the command
      text += "\\#";
    } else text += c;
    if (c === '"') quote = quote === '"' ? null : '"';
    else if (c === "'" && quote === null) quote = "'";
    wordStart = quote === null && (c === " " || c === "\t");
  }
  if (quote !== null) return { unterminated: quote === "'" ? "single" : "double" };
  return { text };
}

/** Index just past the closing quote of an ANSI-C string whose body starts at `from`. */
function ansiCEnd(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === "'") return i + 1;
  }
  return line.length;
}

function refuse(line: string, what: string): ParsedCommandLine {
  return invalid(
    `the verification command "${line}" uses ${what}, but codex-relay runs commands without a shell: ${HOW_TO_FIX}`,
    `${HOW_TO_FIX[0]!.toUpperCase()}${HOW_TO_FIX.slice(1)}.`,
  );
}

function invalid(message: string, hint: string, cause?: unknown): ParsedCommandLine {
  return { ok: false, error: new RelayError("invalid_request", message, { hint, cause }) };
}
