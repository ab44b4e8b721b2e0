// Gather and write the daily digest, out/digest-YYYY-MM-DD.md: the RESULTs that finished in the
// period (with the requests' `requested_by`), the failures no later run of the same request
// answered, and the patch branches not merged yet. Read from the files and git alone.
import { mkdir, readdir, readFile } from "node:fs/promises";
import type { RelayContext } from "../context/relay-context.js";
import { runGit } from "../git/run-git.js";
import { RESULT_JSON_FILE, type Layout } from "../protocol/layout.js";
import { parseRequest } from "../protocol/parse-request.js";
import type { DelegationRequest } from "../protocol/request.js";
import type { ResultFile } from "../protocol/result.js";
import { renderDigest } from "../report/digest-report.js";
import { readResult } from "../report/result-file.js";
import { loadTemplate } from "../report/templates.js";
import { writeFileAtomic } from "../util/atomic-write.js";

export interface DigestPeriod {
  /** `YYYY-MM-DD`: names the file. */
  readonly day: string;
  readonly from: Date;
  readonly to: Date;
}

/** Write the digest of `period`; returns its path. */
export async function writeDigest(ctx: RelayContext, period: DigestPeriod): Promise<string> {
  const { layout } = ctx;
  const names = await readdir(layout.inbox).catch(() => [] as string[]); // no inbox: nothing ran
  const ids = names.flatMap((name) => RESULT_JSON_FILE.exec(name)?.[1] ?? []).sort();
  const results = (await Promise.all(ids.map((id) => readResult(layout, id)))).filter((result) => result !== undefined);
  const finished = (result: ResultFile) => Date.parse(result.timing.finished_at);
  const inPeriod = results.filter((result) => finished(result) >= period.from.getTime() && finished(result) < period.to.getTime());
  inPeriod.sort((a, b) => finished(a) - finished(b));
  const requests = new Map<string, DelegationRequest | undefined>();
  const requestOf = async (id: string) => {
    if (!requests.has(id)) requests.set(id, await readRequestFile(layout, id));
    return requests.get(id);
  };
  const runs = [];
  for (const result of inPeriod) runs.push({ result, requestedBy: (await requestOf(result.id))?.requestedBy });
  const [git, template] = await Promise.all([unmergedPatches(layout.workspace), loadTemplate("digest.md", layout.templates)]);
  const markdown = renderDigest(template, {
    ...period,
    runs,
    openFailures: await openFailures(results, requestOf),
    patches: git.patches,
    head: git.head,
  });
  const file = layout.digest(period.day);
  await mkdir(layout.out, { recursive: true });
  await writeFileAtomic(file, ctx.redactor.redact(markdown), layout.tmp);
  return file;
}

// A failure is closed by a later completed request of the same kind and issue (a schedule's next
// run, a Builder's retry of the same request); otherwise it stays open until retention archives it.
async function openFailures(results: readonly ResultFile[], requestOf: (id: string) => Promise<DelegationRequest | undefined>): Promise<ResultFile[]> {
  const key = async (result: ResultFile) => `${result.kind}\u0000${(await requestOf(result.id))?.issue ?? `id ${result.id}`}`;
  const lastCompleted = new Map<string, number>();
  for (const result of results) {
    if (result.status !== "completed") continue;
    const k = await key(result);
    lastCompleted.set(k, Math.max(lastCompleted.get(k) ?? 0, Date.parse(result.timing.finished_at)));
  }
  const open: ResultFile[] = [];
  for (const result of results) {
    if (result.status !== "failed" && result.status !== "timed_out") continue;
    if ((lastCompleted.get(await key(result)) ?? 0) <= Date.parse(result.timing.finished_at)) open.push(result);
  }
  return open;
}

async function readRequestFile(layout: Layout, id: string): Promise<DelegationRequest | undefined> {
  const text = await readFile(layout.request(id), "utf8").catch(() => undefined); // deleted by hand: no requester to name
  if (text === undefined) return undefined;
  const parsed = parseRequest(text);
  return parsed.ok ? parsed.request : undefined;
}

/** Branches under `codex/` (patches, micro edits, plans) not merged into HEAD; none outside a git repository. */
async function unmergedPatches(workspace: string): Promise<{ head: string; patches: { branch: string; subject: string }[] }> {
  const head = await runGit(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: workspace, allowFailure: true }).catch(() => undefined);
  if (!head || head.exitCode !== 0) return { head: "HEAD", patches: [] };
  const refs = await runGit(["for-each-ref", "--no-merged=HEAD", "--format=%(refname:short)%00%(subject)", "refs/heads/codex/"], { cwd: workspace, allowFailure: true });
  const patches = refs.exitCode !== 0 ? [] : refs.stdout.split("\n").filter(Boolean).map((line) => {
    const [branch = "", subject = ""] = line.split("\u0000");
    return { branch, subject };
  });
  return { head: head.stdout.trim(), patches };
}
