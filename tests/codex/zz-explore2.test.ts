import { execa } from "execa";
import { it } from "vitest";
import { codexBinary, codexProviderOverrides } from "../fixtures/codex-home.js";
import { makeTestWorkspace } from "../helpers/relay-workspace.js";

const trials: string[][] = JSON.parse(process.env.TRIALS ?? "[]");
it("explore2", async () => {
  const ws = await makeTestWorkspace();
  for (const trial of trials) {
    ws.server.enqueue({ kind: "message", text: "hi" });
    const overrides = [...codexProviderOverrides(ws.server), ...trial].flatMap((value) => ["-c", value]);
    const r = await execa(codexBinary(), ["exec", "--json", "-s", "read-only", "-C", ws.dir, "-m", "gpt-5.5", ...overrides, "--", "hello"], { env: { ...process.env, ...ws.env }, stdin: "ignore", reject: false });
    const body: any = ws.server.requests.at(-1)!.body;
    console.log("TRIAL", JSON.stringify(trial), "exit", r.exitCode, (body.tools ?? []).map((t: any) => t.name ?? t.type).join(","), r.exitCode ? r.stderr.slice(-400) : "");
  }
  await ws.cleanup();
}, 300000);
