// The one table of commands and flags: it drives parsing, help text, lazy loading and the types of
// the flags each command receives. Pure data.

/** The TypeScript type of each kind of flag value, as parseCli produces it. */
interface FlagTypes {
  string: string;
  boolean: boolean;
  list: string[];
  number: number;
}

export type FlagType = keyof FlagTypes;
export type FlagValue = FlagTypes[FlagType];

export interface FlagSpec {
  readonly type: FlagType;
  readonly description: string;
  readonly alias?: string;
}

export interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Names of positional arguments, `?` suffix when optional. */
  readonly positionals: readonly string[];
}

// `as const satisfies`, not `: FlagSpec`: each keeps its literal `type`, which FlagsOf reads.
const workspace = { type: "string", description: "workspace root (default: the git repository around the current folder)" } as const satisfies FlagSpec;
const json = { type: "boolean", description: "print JSON instead of Markdown/text" } as const satisfies FlagSpec;
const model = { type: "string", description: "model override for this request" } as const satisfies FlagSpec;
const dryRun = { type: "boolean", description: "print what would be sent and spawned (prompt, argv, env names, files, schema, estimate); write nothing, spawn nothing" } as const satisfies FlagSpec;
const since = { type: "string", description: "only requests made within this long: 12h, 2d, 7d (s, m, h, d, w)" } as const satisfies FlagSpec;
const timeout = { type: "number", description: "give up waiting after this many seconds (exit 124)" } as const satisfies FlagSpec;
const port = { type: "number", description: "the dashboard's port on 127.0.0.1 (default: a free one)" } as const satisfies FlagSpec;

export const COMMANDS = {
  init: {
    summary: "set up a workspace: folders, codex-relay.toml, the Builder section (CLAUDE.md, Cursor rule)",
    usage: "codex-relay init [--templates] [--claude-code] [--cursor] [--workspace DIR]",
    flags: {
      workspace,
      templates: { type: "boolean", description: "also copy the prompt/result templates for editing" },
      "claude-code": { type: "boolean", description: "also install the Claude Code hooks in .claude/settings.json" },
      cursor: { type: "boolean", description: "also install the Cursor hooks in .cursor/hooks.json" },
    },
    positionals: [],
  },
  start: {
    summary: "run the daemon in the foreground (Ctrl-C stops it gracefully)",
    usage: "codex-relay start [--workspace DIR] [--quiet] [--from-start] [--ui [--port N]]",
    flags: {
      workspace,
      ui: { type: "boolean", description: "also serve the dashboard (see `codex-relay ui`)" },
      port,
      quiet: { type: "boolean", description: "no readable log on the terminal (the JSON log file is still written)" },
      "from-start": { type: "boolean", description: "read configured transcripts from their start on first watch (default: from their end)" },
    },
    positionals: [],
  },
  delegate: {
    summary: "write a delegation request (and with --wait, print its RESULT)",
    usage: 'codex-relay delegate --issue "..." [--files a.ts,b.ts] [--context "..."] [--logs "..."] [--attempted-fixes "x" "y"] [--wait] [--json] [--dry-run]',
    flags: {
      issue: { type: "string", description: "what is wrong (required)" },
      files: { type: "string", description: "comma-separated files to embed (workspace-relative; globs allowed)" },
      context: { type: "string", description: "what the Builder knows so far" },
      logs: { type: "string", description: "error output" },
      "attempted-fixes": { type: "list", description: "fixes already tried (one argument each)" },
      questions: { type: "list", description: "specific questions for Codex" },
      model,
      "requested-by": { type: "string", description: "who asks (free text)" },
      wait: { type: "boolean", description: "wait for the RESULT and print it; exit 0 only when completed" },
      timeout,
      json,
      "dry-run": dryRun,
      workspace,
    },
    positionals: [],
  },
  diagnose: {
    summary: "diagnose progress/TASK_PACKET.md (or an issue) read-only into out/codex-diagnosis-*.md",
    usage: 'codex-relay diagnose ["<issue>"] [--wait] [--json] [--dry-run] [--workspace DIR]',
    flags: { wait: { type: "boolean", description: "wait for the diagnosis and print its RESULT" }, model, timeout, json, "dry-run": dryRun, workspace },
    positionals: ["issue?"],
  },
  patch: {
    summary: "patch in a sandbox worktree after diagnosis and route decision; verified, committed on codex/patch-<id>",
    usage: "codex-relay patch [--wait] [--json] [--dry-run] [--workspace DIR]",
    flags: { wait: { type: "boolean", description: "wait for the patch and print its RESULT; exit 0 only when committed" }, model, timeout, json, "dry-run": dryRun, workspace },
    positionals: [],
  },
  micro: {
    summary: "a bounded micro edit (<= 25 lines, <= 2 files) on codex/micro-<id>, checked by the quality gates",
    usage: 'codex-relay micro "<change description>" [--files a.ts,b.ts] [--detach] [--json] [--dry-run] [--workspace DIR]',
    flags: {
      files: { type: "string", description: "comma-separated files the edit may change (default: any, within the limits)" },
      detach: { type: "boolean", description: "only write the request; do not wait for it" },
      model,
      timeout,
      json,
      "dry-run": dryRun,
      workspace,
    },
    positionals: ["change"],
  },
  plan: {
    summary: "split a change too big for one patch into small verified steps (progress/plans/<id>/), or run them: `plan run <id>`",
    usage: 'codex-relay plan ["<goal>"] [--wait] [--json] [--workspace DIR]  |  codex-relay plan run <id> [--from N] [--detach] [--json] [--workspace DIR]',
    flags: {
      wait: { type: "boolean", description: "wait for the plan and print its RESULT" },
      from: { type: "number", description: "plan run: start at step N (the steps before it stay committed on codex/plan-<id>)" },
      detach: { type: "boolean", description: "plan run: only write the request; do not wait for it" },
      model,
      timeout,
      json,
      workspace,
    },
    positionals: ["goal-or-run?", "id?"], // `run <id>` is checked by the command
  },
  run: {
    summary: "process one request file now, without a daemon",
    usage: "codex-relay run <request-file> [--json] [--dry-run] [--workspace DIR]",
    flags: { json, "dry-run": dryRun, workspace },
    positionals: ["request-file"],
  },
  replay: {
    summary: "run a recorded request again, its model calls answered from its recording (no network, no tokens)",
    usage: "codex-relay replay <id> [--json] [--workspace DIR]",
    flags: { json, workspace },
    positionals: ["id"],
  },
  status: {
    summary: "list requests, newest first: state, issue, age, duration, tokens, cost, and a patch's branch and commit",
    usage: "codex-relay status [--state S] [--kind K] [--since 2d] [--limit N] [--json] [--workspace DIR]",
    flags: {
      state: { type: "string", description: "only these states, comma-separated: queued, awaiting_approval, running, completed, failed, … or open / finished" },
      kind: { type: "string", description: "only these kinds, comma-separated: analysis, diagnose, patch, micro" },
      since,
      limit: { type: "number", description: "show at most this many, the newest (default 50; 0: all)" },
      json: { type: "boolean", description: "print every field of each request as JSON" },
      workspace,
    },
    positionals: [],
  },
  audit: {
    summary: "figures over finished requests: totals, completion, patch outcomes, confidence, tokens and cost, latency, top errors and files",
    usage: "codex-relay audit [--since 7d] [--json] [--workspace DIR]",
    flags: { since, json: { type: "boolean", description: "print the figures as JSON" }, workspace },
    positionals: [],
  },
  ui: {
    summary: "serve the dashboard on 127.0.0.1: requests live, results, reports with diffs, ledger, charts; cancel and approve",
    usage: "codex-relay ui [--port N] [--workspace DIR]",
    flags: { port, workspace },
    positionals: [],
  },
  show: {
    summary: "print a request's RESULT (or its state while it has none)",
    usage: "codex-relay show <id> [--json] [--workspace DIR]",
    flags: { json, workspace },
    positionals: ["id"],
  },
  wait: {
    summary: "wait for a request's RESULT and print it; exit 0 only when completed",
    usage: "codex-relay wait <id> [--timeout S] [--json] [--workspace DIR]",
    flags: { json, timeout, workspace },
    positionals: ["id"],
  },
  cancel: {
    summary: "cancel a queued or running request (writes CODEX_DELEGATION_CANCEL_<id>)",
    usage: "codex-relay cancel <id> [--workspace DIR]",
    flags: { workspace },
    positionals: ["id"],
  },
  approve: {
    summary: 'approve a request held by `[approval] level = "manual"` (writes CODEX_DELEGATION_APPROVE_<id>, naming who approved)',
    usage: "codex-relay approve <id> [--by NAME] [--workspace DIR]",
    flags: { by: { type: "string", description: "who approves, for the RESULT, ledger and audit commit (default: $USER)" }, workspace },
    positionals: ["id"],
  },
  hook: {
    summary: "editor hook: `DELEGATE TO CODEX:` in a prompt becomes a request; finished RESULTs are announced",
    usage: "codex-relay hook <claude-code|cursor> [--event prompt|stop] [--workspace DIR]",
    flags: {
      event: { type: "string", description: "prompt or stop (default: the input's hook_event_name, else prompt)" },
      workspace: { type: "string", description: "workspace root (default: the git repository around the hook input's cwd)" },
    },
    positionals: ["agent?"], // checked by the command, which exits 0: a usage error (exit 2) would block the prompt
  },
  doctor: {
    summary: "check codex, login, git, config, folders and sandbox before something fails",
    usage: "codex-relay doctor [--json] [--workspace DIR]",
    flags: { json, workspace },
    positionals: [],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** The flags command `C` receives: each flag of its table entry typed by its kind, absent when not given. */
export type FlagsOf<C extends CommandName> = FlagValues<(typeof COMMANDS)[C]["flags"]>;

type FlagValues<F extends Readonly<Record<string, FlagSpec>>> = { readonly [K in keyof F]?: FlagTypes[F[K]["type"]] };
