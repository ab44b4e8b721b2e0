// `codex-relay init`: make a repository ready — the protocol's folders, a commented config, the
// section that teaches a Builder to delegate (CLAUDE.md and a Cursor rule; never AGENTS.md, which
// Codex itself reads on every relay run), and a .gitignore entry;
// with --claude-code / --cursor, the editor hooks that turn `DELEGATE TO CODEX:` into requests.
// Idempotent: running it again changes nothing that is already right and keeps what users wrote.
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { layoutFor, RELAY_DIR } from "../../protocol/layout.js";
import { PACKAGE_TEMPLATES } from "../../report/templates.js";
import type { CommandInput } from "../command.js";
import { installClaudeCodeHooks, installCursorHooks } from "../hooks/install-hooks.js";
import { resolveWorkspace } from "../workspace.js";

const BEGIN = "<!-- codex-relay:begin (managed by `codex-relay init`; edits inside are replaced) -->";
const END = "<!-- codex-relay:end -->";

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
  const section = `${BEGIN}\n${(await readFile(path.join(PACKAGE_TEMPLATES, "agents-section.md"), "utf8")).trim()}\n${END}\n`;
  // Builders read these; Codex does not. AGENTS.md is read by Codex on every run, so the section
  // there (about 3.2 KB telling Codex to delegate to Codex) went into every relay prompt.
  for (const name of BUILDER_FILES) {
    const file = path.join(layout.workspace, name);
    await mkdir(path.dirname(file), { recursive: true });
    const change = await upsertSection(file, section, name.endsWith(".mdc") ? CURSOR_RULE_HEAD : "");
    if (change) done.push(`${change} the codex-relay section of ${name}`);
  }
  if (await removeSection(path.join(layout.workspace, "AGENTS.md"))) done.push("removed the codex-relay section from AGENTS.md (Codex reads that file on every run)");
  if (await appendLine(path.join(layout.workspace, ".gitignore"), `${RELAY_DIR}/`)) done.push(`ignored ${RELAY_DIR}/ in .gitignore`);
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

/** `head` is what a new file starts with before the section (a Cursor rule's front matter). */
async function upsertSection(file: string, section: string, head = ""): Promise<"added" | "updated" | undefined> {
  const text = await readFile(file, "utf8").catch(() => "");
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END, begin);
  if (begin !== -1 && end !== -1) {
    const next = text.slice(0, begin) + section + text.slice(end + END.length).replace(/^\n/, "");
    if (next === text) return undefined;
    await writeFile(file, next);
    return "updated";
  }
  await writeFile(file, text ? `${text.replace(/\n*$/, "\n\n")}${section}` : `${head}${section}`);
  return "added";
}

/** Take an earlier init's section out of `file`, keeping the rest; the file goes if nothing else is left. */
async function removeSection(file: string): Promise<boolean> {
  const text = await readFile(file, "utf8").catch(() => "");
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END, begin);
  if (begin === -1 || end === -1) return false;
  const [before, after] = [text.slice(0, begin).trimEnd(), text.slice(end + END.length).replace(/^\n+/, "")];
  const rest = before && after ? `${before}\n\n${after}` : before ? `${before}\n` : after;
  if (rest.trim()) await writeFile(file, rest);
  else await rm(file);
  return true;
}

async function appendLine(file: string, line: string): Promise<boolean> {
  const text = await readFile(file, "utf8").catch(() => "");
  if (text.split("\n").some((l) => l.trim() === line || l.trim() === `/${line}`)) return false;
  await writeFile(file, `${text}${text && !text.endsWith("\n") ? "\n" : ""}${line}\n`);
  return true;
}
