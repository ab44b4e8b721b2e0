// What a request is doing now, in words ("reading src/sum.js", "running npm test", "reconnecting
// to the provider (3)"), read from the events of its log (PROTOCOL.md §3.3): Codex's own and the
// relay's `relay.*` ones. The daemon's console and a waiting client both follow a run with it, so
// it stays small and zod-free: a waiting client loads it on its short path. Pure.
import { isReconnectMessage } from "./reconnect.js";

/** Where a run stands: the step in words, and the tokens spent so far when known. */
export interface ProgressView {
  readonly step: string;
  readonly tokens: number | null;
}

const MAX_STEP_CHARS = 120;

/** Follows one request's events in order; `see` says whether the step changed. */
export class ProgressTracker implements ProgressView {
  step = "queued";
  tokens: number | null = null;
  #reconnects = 0;
  /** Codex's working root (or `relay.codex_started`'s): file paths are shown relative to it. */
  #root: string;
  /** Tokens of finished turns and of the gateway's running total (which covers every turn). */
  #turnTokens = 0;
  #meteredTokens: number | null = null;

  constructor(root = "") {
    this.#root = root;
  }

  /** Take one event (a parsed line of the log); true when the step changed. */
  see(event: unknown): boolean {
    if (typeof event !== "object" || event === null) return false;
    const e = event as Record<string, unknown>;
    const next = this.#stepOf(e);
    if (next === undefined || next === this.step) return false;
    this.step = next.length > MAX_STEP_CHARS ? `${next.slice(0, MAX_STEP_CHARS - 1)}…` : next;
    return true;
  }

  #stepOf(e: Record<string, unknown>): string | undefined {
    switch (e.type) {
      case "relay.step":
        return text(e.step);
      case "relay.codex_started":
        this.#root = text(e.cwd) ?? "";
        return "starting Codex";
      case "relay.usage":
        this.#meteredTokens = tokensOf(e) ?? this.#meteredTokens;
        this.tokens = this.#meteredTokens;
        return undefined;
      case "turn.started":
        return "thinking";
      case "turn.completed":
        this.#turnTokens += tokensOf(e.usage) ?? 0;
        this.tokens = this.#meteredTokens ?? this.#turnTokens;
        return undefined;
      case "turn.failed":
        return `Codex failed: ${text((e.error as Record<string, unknown> | undefined)?.message) ?? "no reason given"}`;
      case "error": {
        const message = text(e.message) ?? "";
        if (!isReconnectMessage(message)) return undefined;
        this.#reconnects += 1;
        return `reconnecting to the provider (${this.#reconnects}): ${message}`;
      }
      case "item.started":
      case "item.completed":
        return this.#itemStep(e.type, e.item);
      default:
        return undefined; // thread.started, item.updated, events of later Codex versions: no new step
    }
  }

  #itemStep(phase: "item.started" | "item.completed", raw: unknown): string | undefined {
    if (typeof raw !== "object" || raw === null) return undefined;
    const item = raw as Record<string, unknown>;
    switch (item.type) {
      case "command_execution": {
        if (phase === "item.started") return commandStep(text(item.command) ?? "");
        const exit = item.exit_code;
        return typeof exit === "number" && exit !== 0 ? `${commandStep(text(item.command) ?? "")}: exit ${exit}` : "thinking";
      }
      case "file_change":
        return phase === "item.started" ? fileChangeStep(item.changes, this.#root) : "thinking";
      case "mcp_tool_call":
        return phase === "item.started" ? `calling ${[text(item.server), text(item.tool)].filter(Boolean).join(".")}` : "thinking";
      case "web_search":
        return phase === "item.started" ? `searching the web${text(item.query) ? ` for ${text(item.query)}` : ""}` : "thinking";
      case "reasoning":
        return "thinking";
      case "agent_message":
        return "writing the answer";
      default:
        return undefined;
    }
  }
}

/** A shell command in words: what Codex reads or searches, else the command itself. */
export function commandStep(command: string): string {
  const inner = unwrapShell(command).trim();
  const firstLine = inner.split("\n")[0] ?? "";
  if (/[|;&<>`$]/.test(firstLine) || firstLine !== inner) return `running ${firstLine}`;
  const words = firstLine.split(/\s+/).filter(Boolean);
  const [tool = "", ...rest] = words;
  // Flags are not operands, nor the number a flag takes (`head -n 20`, `grep -A 3`).
  const operands = rest.filter((word, i) => !word.startsWith("-") && !(/^\d+$/.test(word) && rest[i - 1]?.startsWith("-"))).map(unquote);
  if (READERS.has(tool) && operands.length > 0) {
    // `sed -n '1,80p' file`: the script is not a file
    const files = tool === "sed" ? operands.slice(1) : operands;
    if (files.length > 0) return `reading ${files.join(", ")}`;
  }
  if (SEARCHERS.has(tool) && operands.length > 0) return `searching for ${operands[0]}${operands.length > 1 ? ` in ${operands.slice(1).join(", ")}` : ""}`;
  if (LISTERS.has(tool)) return `listing ${operands.length > 0 ? operands.join(", ") : "files"}`;
  return `running ${firstLine}`;
}

const READERS = new Set(["cat", "head", "tail", "less", "more", "nl", "bat", "sed", "wc"]);
const SEARCHERS = new Set(["rg", "grep", "ag", "ack", "git-grep"]);
const LISTERS = new Set(["ls", "find", "tree", "fd"]);

/** `/bin/bash -c 'npm test'` (as Codex reports its commands) → `npm test`. */
function unwrapShell(command: string): string {
  const match = /^(?:\S*\/)?(?:ba|z|da)?sh\s+-l?c\s+([\s\S]*)$/.exec(command.trim());
  if (!match) return command;
  const body = match[1]!.trim();
  if (body.length >= 2 && body.startsWith("'") && body.endsWith("'")) return body.slice(1, -1).replaceAll("'\\''", "'");
  if (body.length >= 2 && body.startsWith('"') && body.endsWith('"')) return body.slice(1, -1).replace(/\\(["\\$`])/g, "$1");
  return body;
}

function unquote(word: string): string {
  return /^(['"]).*\1$/.test(word) ? word.slice(1, -1) : word;
}

const CHANGE_VERBS: Record<string, string> = { add: "creating", delete: "deleting", update: "editing" };

/** `editing src/cart.ts, creating src/y.ts`, paths relative to Codex's root. */
function fileChangeStep(changes: unknown, root: string): string {
  const list = Array.isArray(changes) ? (changes as Record<string, unknown>[]) : [];
  const parts = list.map((change) => `${CHANGE_VERBS[text(change.kind) ?? ""] ?? "editing"} ${relative(text(change.path) ?? "?", root)}`);
  return parts.length > 0 ? parts.join(", ") : "editing files";
}

function relative(file: string, root: string): string {
  const base = root.endsWith("/") ? root : `${root}/`;
  return root && file.startsWith(base) ? file.slice(base.length) : file;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/** Input plus output tokens of a usage object, or undefined when it has none. */
function tokensOf(usage: unknown): number | undefined {
  if (typeof usage !== "object" || usage === null) return undefined;
  const { input_tokens: input, output_tokens: output } = usage as Record<string, unknown>;
  if (typeof input !== "number" && typeof output !== "number") return undefined;
  return (typeof input === "number" ? input : 0) + (typeof output === "number" ? output : 0);
}
