// The dashboard in a real browser (headless Chromium, playwright-core) against `codex-relay start
// --ui` running real requests (the real codex binary, the model fixture): live list, rendered
// RESULTs, diffs, the cancel button, and the server's refusals.
import { existsSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { jsonMessage } from "../fixtures/model-server.js";
import { parseRouteDecision } from "../../src/protocol/route-decision.js";
import { sha256 } from "../../src/util/sha256.js";
import { DIAGNOSIS_REPLY, fixReplies, TASK_PACKET } from "../fixtures/patch-project.js";
import { dashboardPage, screenshot } from "../helpers/browser.js";
import { useBrowser } from "../helpers/use-browser.js";
import { useDaemonSession } from "../helpers/daemon-session.js";
import { commitDemoProject, writePrerequisites } from "../helpers/patch-workspace.js";
import { analysisReply, logEvents, until, type DaemonProcess, type TestWorkspace } from "../helpers/relay-workspace.js";
import { writeFiles } from "../helpers/testdir.js";

const session = useDaemonSession();
const browser = useBrowser();

/** A workspace, and a daemon serving the dashboard; `url` is the one it printed. */
async function daemonWithUi(options: { patchProject?: boolean; toml?: string } = {}): Promise<{ ws: TestWorkspace; daemon: DaemonProcess; url: string }> {
  const ws = await session.workspace({ toml: options.toml ?? "[patch]\nauto_diagnose = false\n" });
  if (options.patchProject) await commitDemoProject(ws);
  const daemon = await session.startDaemon(ws, ["--ui"]);
  await until(() => daemon.printed().includes("dashboard at "), "the dashboard's URL");
  const url = /dashboard at (\S+)/.exec(daemon.printed())![1]!;
  return { ws, daemon, url };
}

const idOf = (stdout: string) => JSON.parse(stdout).id as string;

describe("the dashboard", () => {
  it("lists the requests a daemon ran, shows a new RESULT without a reload, and renders <script> in a RESULT as text", async () => {
    const { ws, url } = await daemonWithUi();
    ws.server.enqueue(jsonMessage(analysisReply()));
    const first = idOf((await ws.cli(["delegate", "--wait", "--json", "--issue", "The cache never expires."])).stdout);

    const page = await dashboardPage(browser());
    await page.goto(url);
    const firstRow = page.locator(`tr[data-id="${first}"]`);
    await firstRow.waitFor();
    expect(await firstRow.textContent()).toContain("completed");
    expect(await firstRow.textContent()).toContain("The cache never expires.");

    // A RESULT written while the page is open appears in it, without a reload.
    ws.server.enqueue(jsonMessage(analysisReply({ root_cause: "The page runs <script>window.pwned = 1</script> if it trusts RESULTs." })));
    const second = idOf((await ws.cli(["delegate", "--json", "--issue", "Quote a script tag."])).stdout);
    const secondRow = page.locator(`tr[data-id="${second}"]`);
    await secondRow.getByText("completed").waitFor({ timeout: 30_000 });

    await secondRow.click();
    const result = page.locator(".tab-body .markdown");
    await result.locator("p", { hasText: "window.pwned = 1" }).first().waitFor();
    expect(await result.textContent()).toContain("<script>window.pwned = 1</script>");
    expect(await page.locator(".tab-body script").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    await screenshot(page, "requests-light");
    const dark = await dashboardPage(browser(), "dark");
    await dark.goto(url);
    await dark.locator(`tr[data-id="${first}"]`).click();
    await dark.locator(".tab-body .markdown").waitFor();
    await screenshot(dark, "requests-dark");
  }, 120_000);

  it("cancels a running request: the button writes the CANCEL marker, then the RESULT says cancelled", async () => {
    const { ws, url } = await daemonWithUi();
    ws.server.setDefault({ kind: "hang" });
    const id = idOf((await ws.cli(["delegate", "--json", "--issue", "Take forever."])).stdout);
    await ws.server.waitForRequests(1);

    const page = await dashboardPage(browser());
    await page.goto(url);
    const row = page.locator(`tr[data-id="${id}"]`);
    await row.getByText("running").waitFor();
    await row.click();
    await page.getByRole("button", { name: "Cancel" }).click();

    await until(() => existsSync(ws.layout.cancel(id)), "the CANCEL marker");
    expect(readFileSync(ws.layout.cancel(id), "utf8")).toContain("cancelled from the dashboard");
    await row.getByText("cancelled").waitFor({ timeout: 30_000 });
    expect(JSON.parse(readFileSync(ws.layout.result(id, "json"), "utf8")).status).toBe("cancelled");
  }, 120_000);

  it("approves a request held for approval: the button writes the APPROVE marker, then the request runs", async () => {
    const { ws, url } = await daemonWithUi({ toml: "[approval]\nrequired = true\n" });
    ws.server.setDefault(jsonMessage(analysisReply()));
    const id = idOf((await ws.cli(["delegate", "--json", "--issue", "Wait for me."])).stdout);

    const page = await dashboardPage(browser());
    await page.goto(url);
    const row = page.locator(`tr[data-id="${id}"]`);
    await row.getByText("awaiting approval").waitFor({ timeout: 30_000 });
    await row.click();
    await page.getByRole("button", { name: "Approve" }).click();

    await until(() => existsSync(ws.layout.approve(id)), "the APPROVE marker");
    await row.getByText("completed").waitFor({ timeout: 30_000 });
    expect(ws.server.requests).toHaveLength(1);
  }, 120_000);

  it("shows a patch's diff as a diff, and the ledger and charts", async () => {
    const { ws, url } = await daemonWithUi({ patchProject: true });
    ws.server.enqueue(...fixReplies());
    await writePrerequisites(ws); // the approval: the daemon queues the patch itself
    await until(() => readFileSync(ws.layout.logFile, "utf8").includes('"event":"patch report written"'), "the patch report", 120_000);
    const id = (logEvents(ws.layout).find((e) => e.event === "patch report written") as { id: string }).id;
    await until(() => existsSync(ws.layout.result(id, "json")), "the patch's RESULT");

    const page = await dashboardPage(browser());
    await page.goto(url);
    await page.locator(`tr[data-id="${id}"]`).click();
    await page.getByRole("button", { name: "Diff" }).click();
    const added = page.locator("table.diff tr.add");
    await added.first().waitFor();
    expect(await added.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("+  return a + b;")]));
    expect(await page.locator("table.diff tr.del").allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("-  return a - b;")]));
    expect(await page.locator("table.diff tr.file").first().textContent()).toBe("src/math.js");
    await screenshot(page, "patch-diff");
    await page.getByRole("button", { name: "Report" }).click();
    await page.locator(".tab-body .markdown h1").first().waitFor();
    await screenshot(page, "patch-report");

    await page.getByRole("button", { name: "Ledger" }).click();
    await page.locator("table.ledger tbody tr").first().waitFor();
    expect(await page.locator("table.ledger tbody tr").count()).toBe(1);
    await screenshot(page, "ledger");
    await page.getByRole("button", { name: "Charts" }).click();
    await page.locator("figure.chart").first().waitFor();
    expect(await page.locator("figure.chart rect.s-completed").count()).toBeGreaterThan(0);
    await screenshot(page, "charts");
  }, 180_000);
});

/** A raw request to the dashboard, with exactly the headers given. */
function raw(url: URL, options: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: url.port, path: options.path, method: options.method ?? "GET", headers: { host: url.host, ...options.headers } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += String(chunk)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The demo diagnosis, proposing one file more than the user will keep. */
const TWO_FILE_DIAGNOSIS = { ...DIAGNOSIS_REPLY, files_to_change: [...DIAGNOSIS_REPLY.files_to_change, { path: "test.js", reason: "could test more" }] };

describe("approving a diagnosis from the dashboard", () => {
  it("writes progress/ROUTE_DECISION.md with the user's name and only the files kept, pinned to the diagnosis; refuses a file it did not propose", async () => {
    const { ws, url } = await daemonWithUi({ patchProject: true, toml: "[patch]\nauto_diagnose = false\nauto_patch = false\n" });
    await writeFiles(ws.dir, { "progress/TASK_PACKET.md": TASK_PACKET });
    ws.server.setDefault(jsonMessage(TWO_FILE_DIAGNOSIS));
    const id = idOf((await ws.cli(["diagnose", "--wait", "--json"])).stdout);
    const report = (await readdir(ws.layout.out)).find((name) => name.startsWith("codex-diagnosis-"))!;

    const token = new URL(url).searchParams.get("token")!;
    const refused = await raw(new URL(url), {
      path: `/api/route-decision?token=${token}`,
      method: "POST",
      headers: { origin: new URL(url).origin, "content-type": "application/json" },
      body: JSON.stringify({ diagnosis: report, approver: "Mallory", files: ["src/math.js", ".env"] }),
    });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body).error).toContain("not proposed by the diagnosis: .env");
    expect(existsSync(ws.layout.routeDecision)).toBe(false);

    const page = await dashboardPage(browser());
    await page.goto(url);
    await page.locator(`tr[data-id="${id}"]`).click();
    await page.getByRole("button", { name: "Report" }).click();
    await page.getByRole("checkbox", { name: "test.js" }).uncheck();
    await page.getByRole("textbox", { name: "approver" }).fill("Dana Reviewer");
    await screenshot(page, "diagnosis-approve");
    await page.getByRole("button", { name: "Approve these files" }).click();
    await page.getByText("Written to progress/ROUTE_DECISION.md").waitFor();

    const decision = parseRouteDecision(readFileSync(ws.layout.routeDecision, "utf8"));
    expect(decision).toMatchObject({ permission: "codex-rw", approvedBy: "Dana Reviewer", approvedFiles: ["src/math.js"], diagnosis: `out/${report}`, problems: [] });
    expect(decision.diagnosisSha256).toBe(sha256(readFileSync(path.join(ws.layout.out, report))));
  }, 120_000);
});

describe("the dashboard's server", () => {
  it("refuses a request without the token (401), a foreign Origin or Host (403), and serves only its own routes", async () => {
    const { ws, url: printed } = await daemonWithUi();
    ws.server.setDefault({ kind: "hang" });
    const id = idOf((await ws.cli(["delegate", "--json", "--issue", "Hold on."])).stdout);
    const url = new URL(printed);
    const token = url.searchParams.get("token")!;
    expect(url.hostname).toBe("127.0.0.1");
    expect(token.length).toBeGreaterThanOrEqual(32);

    expect((await raw(url, { path: "/" })).status).toBe(401);
    expect((await raw(url, { path: "/api/requests" })).status).toBe(401);
    expect((await raw(url, { path: "/api/requests?token=wrong" })).status).toBe(401);
    expect((await raw(url, { path: `/api/requests?token=${token}` })).status).toBe(200);
    // A page elsewhere that knows the token still cannot read or write.
    expect((await raw(url, { path: `/api/requests?token=${token}`, headers: { origin: "https://evil.example" } })).status).toBe(403);
    const write = await raw(url, { path: `/api/requests/${id}/cancel?token=${token}`, method: "POST", headers: { origin: "https://evil.example" } });
    expect(write.status).toBe(403);
    // DNS rebinding: a foreign name that resolves to 127.0.0.1.
    expect((await raw(url, { path: `/?token=${token}`, headers: { host: `rebind.example:${url.port}` } })).status).toBe(403);
    // No path from the request reaches the disk.
    expect((await raw(url, { path: `/../codex-relay.toml?token=${token}` })).status).toBe(404);
    expect((await raw(url, { path: `/api/requests/..%2F..%2Fcodex-relay.toml?token=${token}` })).status).toBe(404);
    expect(existsSync(ws.layout.cancel(id))).toBe(false);
    // The page's own origin may write.
    const ok = await raw(url, { path: `/api/requests/${id}/cancel?token=${token}`, method: "POST", headers: { origin: `http://${url.host}` } });
    expect(ok.status).toBe(200);
    expect(existsSync(ws.layout.cancel(id))).toBe(true);
  }, 120_000);
});
