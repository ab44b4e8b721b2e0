// `codex-relay init`: make a repository ready — the protocol's folders, a commented config, the
// section that teaches a Builder to delegate (CLAUDE.md and a Cursor rule; never AGENTS.md, which
// Codex itself reads on every relay run), and .gitignore rules for everything the relay writes;
// with --claude-code / --cursor, the editor hooks that turn `DELEGATE TO CODEX:` into requests.
// Idempotent: running it again changes nothing that is already right and keeps what users wrote.
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { IGNORED_OUTPUTS, layoutFor } from "../../protocol/layout.js";
import { PACKAGE_TEMPLATES } from "../../report/templates.js";
import type { CommandInput } from "../command.js";
import { installClaudeCodeHooks, installCursorHooks } from "../hooks/install-hooks.js";
import { removeBlock, renderBlock, upsertBlock, type BlockMarkers } from "../managed-block.js";
import { resolveWorkspace } from "../workspace.js";

const MANAGED = "(managed by `codex-relay init`; edits inside are replaced)";
const MARKDOWN: BlockMarkers = { begin: `<!-- codex-relay:begin ${MANAGED} -->`, end: "<!-- codex-relay:end -->" };
const GITIGNORE: BlockMarkers = { begin: `# codex-relay:begin ${MANAGED}`, end: "# codex-relay:end" };
// Exceptions (`!out/codex-patch-*.md`) go below the block, where they win; see "What to commit".
const GITIGNORE_HEAD = "# What codex-relay writes; the branch codex-relay/audit keeps the record. See \"What to commit\" in its README.";

export async function run({ flags, io }: CommandInput<"init">): Promise<number> {
  const layout = layoutFor(resolveWorkspace(flags, io.cwd));
  const done: string[] = [];
  for (const dir of [layout.inbox, layout.progress, layout.out, layout.tmp]) {
    if (!existsSync(dir)) done.push(`created ${path.relative(layout.workspace, dir)}/`);
    await mkdir(dir, { recursive: true });
  }
  if (!existsSync(layout.configFile)) {
    await copyFile(path.join(PACKAGE_TEMPLATES, "codex-relay.toml"), layout.configFile);
    done.push("created codex-relay.toml");
  }
  const section = renderBlock(MARKDOWN, await readFile(path.join(PACKAGE_TEMPLATES, "agents-section.md"), "utf8"));
  // Builders read these; Codex does not. AGENTS.md is read by Codex on every run, so the section
  // there (about 3.2 KB telling Codex to delegate to Codex) went into every relay prompt.
  for (const name of BUILDER_FILES) {
    const file = path.join(layout.workspace, name);
    await mkdir(path.dirname(file), { recursive: true });
    const change = await upsertBlock(file, MARKDOWN, section, name.endsWith(".mdc") ? CURSOR_RULE_HEAD : "");
    if (change) done.push(`${change} the codex-relay section of ${name}`);
  }
  if (await removeBlock(path.join(layout.workspace, "AGENTS.md"), MARKDOWN)) done.push("removed the codex-relay section from AGENTS.md (Codex reads that file on every run)");
  const ignores = renderBlock(GITIGNORE, [GITIGNORE_HEAD, ...IGNORED_OUTPUTS].join("\n"));
  const ignored = await upsertBlock(path.join(layout.workspace, ".gitignore"), GITIGNORE, ignores);
  if (ignored) done.push(`${ignored === "added" ? "added the codex-relay rules to" : "updated the codex-relay rules in"} .gitignore (${IGNORED_OUTPUTS.join(" ")})`);
  if (flags.templates) {
    await mkdir(layout.templates, { recursive: true });
    for (const name of ["analysis-prompt.md", "result.md"]) {
      const target = path.join(layout.templates, `codex-relay-${name}`);
      if (existsSync(target)) continue;
      await copyFile(path.join(PACKAGE_TEMPLATES, name), target);
      done.push(`created ${path.relative(layout.workspace, target)} (edit it to change the ${name.replace(".md", "")})`);
    }
  }
  const hooks = [
    ...(flags["claude-code"] ? (await installClaudeCodeHooks(layout.workspace)).map((h) => ({ ...h, file: ".claude/settings.json" })) : []),
    ...(flags.cursor ? (await installCursorHooks(layout.workspace)).map((h) => ({ ...h, file: ".cursor/hooks.json" })) : []),
  ];
  for (const hook of hooks) done.push(`${hook.how} the ${hook.event} hook \`${hook.command}\` ${hook.how === "added" ? "to" : "in"} ${hook.file}`);
  io.stdout.write(done.length ? `${done.map((line) => `  ${line}`).join("\n")}\n` : "  already set up; nothing changed\n");
  io.stdout.write(`Next: \`npx codex-relay doctor\`, then \`npx codex-relay start\`.\n`);
  return 0;
}

const BUILDER_FILES = ["CLAUDE.md", ".cursor/rules/codex-relay.mdc"];
const CURSOR_RULE_HEAD = "---\ndescription: Delegating hard problems to Codex through codex-relay\nalwaysApply: true\n---\n\n";
