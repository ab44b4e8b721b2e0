import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { checkPrerequisites } from "../../src/patch/prerequisites.js";
import type { Diagnosis } from "../../src/protocol/diagnosis.js";
import { layoutFor } from "../../src/protocol/layout.js";
import {
  fencedBlocks,
  listItemLines,
  listItems,
  outlineMarkdown,
  sectionsAtLevel,
  stripBackticks,
} from "../../src/protocol/markdown-outline.js";
import { parseRequest } from "../../src/protocol/parse-request.js";
import { renderRequest } from "../../src/protocol/render-request.js";
import type { DelegationRequest } from "../../src/protocol/request.js";
import { parseRouteDecision } from "../../src/protocol/route-decision.js";
import { parseTaskPacket } from "../../src/protocol/task-packet.js";
import { diagnosisReportName, renderDiagnosisReport } from "../../src/report/diagnosis-report.js";
import { loadTemplate } from "../../src/report/templates.js";

const EXAMPLES = fileURLToPath(new URL("../../progress/", import.meta.url));
const createdAt = new Date("2026-01-05T10:55:00Z");

function parsed(text: string): DelegationRequest {
  const outcome = parseRequest(text);
  if (!outcome.ok) throw new Error(`expected the request to parse, got: ${outcome.reason}`);
  return outcome.request;
}

/** How a Windows editor saves a file: a BOM and CRLF line ends. */
const windows = (text: string) => `\uFEFF${text.replace(/\n/g, "\r\n")}`;

describe("every file kind round-trips through the one reader", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "codex-relay-outline-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("a rendered request: its sections, and the same fields back from LF and from BOM + CRLF", () => {
    const fields = {
      issue: "POST /runs/start returns 500",
      context: "Started after the limiter was added.",
      errorLogs: "Traceback:\n```\nnested fence\n```",
      attemptedFixes: ["restarted the server", "renamed `request`"],
      files: ["src/main.py"],
      questions: ["why no traceback?"],
    };
    const text = renderRequest({ ...fields, createdAt });
    const { lead, sections } = sectionsAtLevel(text, 2);
    expect(lead.trim().split("\n").at(-1)).toBe("# Codex Delegation Request");
    expect(sections.map((section) => section.title)).toEqual(["Issue", "Context", "Error Logs", "Attempted Fixes", "Files", "Questions"]);
    const request = parsed(text);
    expect(request).toMatchObject(fields);
    expect(parsed(windows(text))).toEqual(request);
  });

  test("a task packet: written from its parts, read back, the same from BOM + CRLF", async () => {
    const packet = parseTaskPacket(["# Fix auth timeout", "", "Login times out under load.", "", "## Verification", "```sh", "npm test", "npm run lint", "```", ""].join("\n"));
    expect(packet).toMatchObject({ title: "Fix auth timeout", description: "Login times out under load.", verification: ["npm test", "npm run lint"], problems: [] });
    const example = await readFile(path.join(EXAMPLES, "TASK_PACKET.md"), "utf8");
    const { raw: _raw, ...fromLf } = parseTaskPacket(example);
    const { raw: _rawWindows, ...fromWindows } = parseTaskPacket(windows(example));
    expect(fromWindows).toEqual(fromLf);
  });

  test("a diagnosis report: its sections, and the route decision it suggests, once approved, opens the patch", async () => {
    const diagnosis: Diagnosis = {
      root_cause: "The pool holds 10 connections.",
      technical_explanation: "Each login holds one for ~400 ms.\n\n```ts\n## not a heading\n```",
      recommended_fix: "Raise `size` to 50 in src/auth/redis-pool.ts.",
      files_to_change: [
        { path: "src/auth/redis-pool.ts", reason: "the pool size lives here" },
        { path: "tests/auth/redis-pool.test.ts", reason: "pin the minimum" },
      ],
      needs_write: true,
      risks: [],
      verification_notes: "Run `npm test`.",
      confidence: "high",
    };
    const template = await loadTemplate("diagnosis-report.md", dir);
    const report = renderDiagnosisReport(
      { id: "20260105_105500", title: "Fix auth timeout", taskPacketPath: "progress/TASK_PACKET.md", createdAt, diagnosis, codexVersion: null, model: null, threadId: null },
      template,
    );

    const outline = outlineMarkdown(report);
    expect(outline.sections.filter((section) => section.level === 2).map((section) => section.title)).toEqual([
      "Root Cause", "Technical Explanation", "Recommended Fix", "Files Expected To Change", "Needs codex-rw", "Risks", "Verification Notes", "Confidence",
    ]);
    expect(outline.sections.find((section) => section.title === "Recommended Fix")?.body.trim()).toBe(diagnosis.recommended_fix);

    // What a person does: copy the suggested block to progress/ROUTE_DECISION.md and sign it.
    const needsWrite = outline.sections.find((section) => section.title === "Needs codex-rw")!;
    const [suggested] = fencedBlocks(needsWrite.body);
    expect(parseRouteDecision(suggested!)).toMatchObject({ permission: "codex-rw", approvedBy: null });
    const signed = suggested!.replace("approved_by:", "approved_by: ana");
    expect(parseRouteDecision(signed)).toMatchObject({ permission: "codex-rw", approvedBy: "ana", approvedFiles: ["src/auth/redis-pool.ts", "tests/auth/redis-pool.test.ts"] });

    const layout = layoutFor(dir);
    await mkdir(layout.progress, { recursive: true });
    await mkdir(layout.out, { recursive: true });
    await writeFile(path.join(layout.progress, "TASK_PACKET.md"), await readFile(path.join(EXAMPLES, "TASK_PACKET.md"), "utf8"));
    // In a person's order: the diagnosis exists, then its route decision is signed (a diagnosis
    // written after the decision that names it is a stale approval).
    await writeFile(path.join(layout.out, diagnosisReportName(createdAt)), windows(report));
    await writeFile(path.join(layout.progress, "ROUTE_DECISION.md"), windows(signed));
    const checked = await checkPrerequisites(layout, { requireDiagnosis: true, requireRoute: true });
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(checked.route?.approvedFiles).toEqual(["src/auth/redis-pool.ts", "tests/auth/redis-pool.test.ts"]);
  });

  test("bad front matter gives one message: a request is refused with it, a task packet and a route decision note it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const bad = [`---\n${levels.join("\n")}\n---\n`, "---\ntitle: [unclosed\n---\n", "---js\n{}\n---\n", "---\n- a\n---\n"];
    for (const head of bad) {
      const outcome = parseRequest(`${head}## Issue\nx\n`);
      if (outcome.ok) throw new Error(`expected ${JSON.stringify(head)} to be refused`);
      expect(parseTaskPacket(`${head}# T\n`).problems).toEqual([`${outcome.reason}; it was ignored`]);
      expect(parseRouteDecision(`${head}# T\n`).problems).toEqual([`${outcome.reason}; it was ignored`]);
    }
    const unclosed = parseRequest("---\nissue: x\n");
    expect(unclosed).toEqual({ ok: false, reason: "front matter is not closed: add a `---` line after it" });
    expect(parseTaskPacket("---\nissue: x\n").problems).toEqual(["front matter is not closed: add a `---` line after it; it was read as Markdown"]);
  });
});

describe("list items", () => {
  // The two readings, pinned: a request keeps each item's Markdown; packets and routes take one line per item.
  const LIST = "- [x] `npm test`\n  --coverage\n- npm run lint\n  - npm run typecheck\n\nprose line\n```\n- fenced, not an item\n```\n";

  test("a request's list section keeps whole items, nested lists inside their item; other lines are items too", () => {
    expect(listItems(LIST)).toEqual(["[x] `npm test`\n--coverage", "npm run lint\n- npm run typecheck", "prose line", "```\n- fenced, not an item\n```"]);
  });

  test("a task packet or route decision takes the first line of every item, at any depth, task boxes dropped", () => {
    expect(listItemLines(LIST)).toEqual(["`npm test`", "npm run lint", "npm run typecheck"]);
  });

  test("a list of any size is read by the same rules (it used to fall back to one item per line above 16 KB)", () => {
    const fixes = Array.from({ length: 600 }, (_, i) => `tried fix ${i}\nwith a note on ${i}`);
    const text = `## Issue\nx\n## Attempted Fixes\n${fixes.map((fix) => `- ${fix.replace("\n", "\n  ")}`).join("\n")}\n`;
    expect(text.length).toBeGreaterThan(16 * 1024);
    expect(parsed(text).attemptedFixes).toEqual(fixes);
  });

  test("a 500 KB single paragraph in a list section gives one item per line", () => {
    const line = "2025-11-28 14:30:22 ERROR app.py:42 [worker_1] *boom* `x` <tag> &amp; [link](y) _z_\n";
    const log = line.repeat(Math.ceil(500_000 / line.length));
    expect(log.length).toBeGreaterThan(500_000);
    const request = parsed(`## Issue\nx\n## Attempted Fixes\n${log}`);
    expect(request.attemptedFixes).toHaveLength(log.split("\n").length - 1);
    expect(new Set(request.attemptedFixes)).toEqual(new Set([line.trim()]));
    expect(parsed(`## Issue\nx\n## Questions\n- ${log.replace(/\n(?=.)/g, "\n  ")}`).questions).toEqual([log.trimEnd()]);
  });

  test("a 5 MB request with a 500 KB one-line paragraph parses whole", () => {
    const paragraph = "a *b* _c_ [d](e) `f` <g> \\h &amp; ".repeat(15_000);
    const logs = "2025-11-28 ERROR boom\n".repeat(200_000);
    const text = `---\nkind: diagnose\n---\n## Issue\n${paragraph}\n## Error Logs\n\`\`\`\n${logs}\`\`\`\n## Questions\n- ${paragraph}\n`;
    expect(text.length).toBeGreaterThan(5_000_000);
    const request = parsed(text);
    expect(request).toMatchObject({ kind: "diagnose", issue: paragraph.trimEnd(), errorLogs: logs.trimEnd(), questions: [paragraph.trimEnd()] });
  });
});

describe("stripBackticks", () => {
  test("one rule for every file: a value wholly inside one code span loses it; anything else is only trimmed", () => {
    expect(stripBackticks(" `src/a.ts` ")).toBe("src/a.ts");
    expect(stripBackticks("`` a`b ``")).toBe("a`b");
    expect(stripBackticks("echo `date`")).toBe("echo `date`"); // a command keeps its own backticks
    expect(stripBackticks("`src/a.ts")).toBe("`src/a.ts"); // unbalanced: not a code span (a request used to drop it)
    expect(parsed("## Issue\nx\n## Files\n- `src/a.ts`\n### `src/b.ts`\n").files).toEqual(["src/a.ts", "src/b.ts"]);
    expect(parseTaskPacket("## Verification\n- ``echo `date` ``\n- echo `date`\n").verification).toEqual(["echo `date`"]);
  });
});
