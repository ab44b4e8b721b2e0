// `codex-relay doctor`: check what would make a request fail before one does. Each check says
// what it found and, when it fails, what to do. Exit 0 only when every check passes.
import { randomBytes } from "node:crypto";
import { constants, existsSync } from "node:fs";
import { access, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { codexHome, needsLogin, readCodexUserConfigChecked } from "../../config/codex-user-config.js";
import { codexVersion, isLoggedIn, readCodexAuth } from "../../codex/codex-info.js";
import { gatewayPlan } from "../../codex/gateway-plan.js";
import { probeProvider } from "../../codex/probe-provider.js";
import { effectiveProvider } from "../../codex/provider.js";
import { resolveCodexBin } from "../../codex/resolve-bin.js";
import { outsideTestedRange, TESTED_CODEX } from "../../codex/tested-range.js";
import { loadConfig } from "../../config/load-config.js";
import type { Config } from "../../config/schema.js";
import { toRelayError } from "../../errors.js";
import { gitTopLevel, runGit } from "../../git/run-git.js";
import { layoutFor } from "../../protocol/layout.js";
import { buildChildEnv, providerEnvKeys } from "../../security/child-env.js";
import type { CommandInput } from "../command.js";
import { daemonRunning } from "../../daemon/workspace-lock.js";
import { existingWorkspace } from "../workspace.js";

// What Codex's source says (openai/codex, codex-rs/model-provider-info: the built-in provider's base_url is
// `openai_base_url`, else chatgpt.com/backend-api/codex for a sign-in; `chatgpt_base_url` serves
// plugins, apps, cloud tasks and usage): a sign-in's model calls could be routed, but are not.
const CHATGPT_SIGN_IN =
  "a ChatGPT sign-in is not routed (Codex sends its model calls to `openai_base_url`, by default https://chatgpt.com/backend-api/codex; `chatgpt_base_url` only serves ChatGPT's other endpoints, so it routes none of them)";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** Passes, but worth knowing (printed as `warn`; does not change the exit code). */
  warning?: string;
}

export async function run({ flags, io }: CommandInput<"doctor">): Promise<number> {
  const layout = layoutFor(existingWorkspace(flags, io.cwd, { anyFolder: true }));
  const checks: Check[] = [];
  const check = async (name: string, body: () => Promise<Omit<Check, "name">>) => {
    try {
      checks.push({ name, ...(await body()) });
    } catch (error) {
      const relayError = toRelayError(error);
      checks.push({ name, ok: false, detail: relayError.message, fix: relayError.hint });
    }
  };

  let config: Config | undefined;
  await check("config", async () => {
    config = await loadConfig(layout.configFile);
    if (!existsSync(layout.configFile)) return { ok: true, detail: `no ${path.basename(layout.configFile)} (defaults apply)` };
    return { ok: true, detail: `${path.basename(layout.configFile)} is valid` };
  });
  let bin: string | undefined;
  await check("codex", async () => {
    const resolved = resolveCodexBin({ configBin: config?.codex.bin ?? "", env: io.env });
    const version = await codexVersion(resolved.path);
    if (!version) return { ok: false, detail: `${resolved.path} did not answer --version`, fix: "reinstall Codex (`npm install -D @openai/codex` in this repository, or `npm install -g @openai/codex`)" };
    bin = resolved.path;
    const outside = outsideTestedRange(version);
    const detail = `codex ${version} (${resolved.source}: ${resolved.path})`;
    if (!outside) return { ok: true, detail };
    return { ok: true, detail, warning: `${outside}: it may work; if a run fails oddly, install a tested one (\`npm install -D @openai/codex@${TESTED_CODEX.high}\`)` };
  });
  const overrides = config?.codex.config ?? {};
  const userRead = await readCodexUserConfigChecked(io.env);
  const userConfig = userRead.ok ? userRead.config : {};
  if (!userRead.ok) {
    checks.push({ name: "codex config", ok: false, detail: `${userRead.file} does not parse: ${userRead.message}`, fix: "fix its TOML syntax; Codex refuses to start with it too" });
  }
  const env = buildChildEnv(io.env, { passthrough: [...(config?.codex.env ?? []), ...providerEnvKeys(overrides), ...providerEnvKeys(userConfig)] });
  const configProblem = !config ? "skipped: codex-relay.toml does not load (see above)" : !userRead.ok ? "skipped: Codex's config.toml does not parse (see above)" : null;
  await check("login", async () => {
    if (!bin) return { ok: false, detail: "skipped: codex not found" };
    if (configProblem) return { ok: false, detail: configProblem };
    if (!needsLogin(overrides, userConfig, io.env)) {
      const keys = [...providerEnvKeys(overrides), ...providerEnvKeys(userConfig)];
      const missing = keys.filter((key) => !io.env[key]);
      if (missing.length) return { ok: false, detail: `provider key variable(s) not set: ${missing.join(", ")}`, fix: `export ${missing[0]}=...` };
      return { ok: true, detail: "API key or custom provider configured" };
    }
    return (await isLoggedIn(bin, env))
      ? { ok: true, detail: `logged in (CODEX_HOME ${codexHome(io.env)})` }
      : { ok: false, detail: `not logged in (CODEX_HOME ${codexHome(io.env)})`, fix: "run `codex login`, or set OPENAI_API_KEY" };
  });
  await check("provider", async () => {
    if (configProblem) return { ok: false, detail: configProblem };
    if (needsLogin(overrides, userConfig, io.env)) {
      return { ok: true, detail: "ChatGPT sign-in: not probed (Codex reaches the model through its own login)" };
    }
    return probeProvider(effectiveProvider(overrides, userConfig), io.env);
  });
  await check("gateway", async () => {
    if (configProblem || !config) return { ok: false, detail: configProblem ?? "skipped" };
    const provider = effectiveProvider(overrides, userConfig);
    const auth = await readCodexAuth(env);
    if (!config.gateway.enabled) return { ok: true, detail: "off (`[gateway] enabled = false`): Codex connects direct; metered after each turn, not capped mid-run, not redacted in transit" };
    if (gatewayPlan(true, provider, env, auth)) return { ok: true, detail: `model calls go through the local gateway to ${provider.baseUrl}: metered, capped by [budget], redacted` };
    const why = auth.chatgpt ? CHATGPT_SIGN_IN : `${provider.name} is not routed`;
    return { ok: true, detail: `direct: ${why}; metered after each turn, not capped mid-run, not redacted in transit` };
  });
  await check("git", async () => {
    const top = await gitTopLevel(layout.workspace);
    if (!top) return { ok: false, detail: `${layout.workspace} is not in a git repository`, fix: "run `git init` (the audit trail and patches need git)" };
    // Patch worktrees need `git worktree list -z` (git 2.36).
    const version = /(\d+)\.(\d+)/.exec((await runGit(["--version"], { cwd: layout.workspace })).stdout);
    const [major, minor] = [Number(version?.[1] ?? 0), Number(version?.[2] ?? 0)];
    if (major < 2 || (major === 2 && minor < 36)) {
      return { ok: false, detail: `git ${major}.${minor} is too old for patch worktrees`, fix: "install git 2.36 or later" };
    }
    return { ok: true, detail: `git ${major}.${minor}, repository at ${top}` };
  });
  await check("folders", async () => {
    // A check creates nothing: a folder not made yet (by `init` or the daemon's start) is fine when
    // the folder it would be made in is writable.
    const missing: string[] = [];
    for (const dir of [layout.inbox, layout.tmp, layout.claims]) {
      if (existsSync(dir)) {
        const probe = path.join(dir, `.doctor-${randomBytes(4).toString("hex")}`);
        await writeFile(probe, "");
        await rm(probe);
        continue;
      }
      let parent = path.dirname(dir);
      while (!existsSync(parent)) parent = path.dirname(parent);
      await access(parent, constants.W_OK);
      missing.push(`${path.relative(layout.workspace, dir)}/`);
    }
    const inbox = `${path.relative(layout.workspace, layout.inbox)}/`;
    if (missing.length === 0) return { ok: true, detail: `${inbox} and the relay's state folder are writable` };
    return { ok: true, detail: `${missing.join(", ")} not made yet (\`codex-relay init\` or \`codex-relay start\` makes them); where they go is writable` };
  });
  await check("sandbox", async () => {
    if (!bin) return { ok: false, detail: "skipped: codex not found" };
    const result = await execa(bin, ["sandbox", "--", "true"], { cwd: layout.workspace, env, extendEnv: false, stdin: "ignore", reject: false, timeout: 20_000 });
    return result.exitCode === 0
      ? { ok: true, detail: "codex's read-only sandbox runs commands" }
      : { ok: false, detail: `\`codex sandbox -- true\` failed: ${String(result.stderr).trim().split("\n").pop() ?? result.exitCode}`, fix: "see `codex sandbox --help`; on Linux, unprivileged user namespaces (or bubblewrap) must be available" };
  });
  await check("daemon", async () => ({
    ok: true,
    detail: (await daemonRunning(layout)) ? "a daemon is running on this workspace" : "no daemon running (start one with `codex-relay start`)",
  }));

  if (flags.json) io.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
  else {
    for (const c of checks) {
      io.stdout.write(`${!c.ok ? "FAIL" : c.warning ? "warn" : "ok  "} ${c.name.padEnd(8)} ${c.detail}\n`);
      if (!c.ok && c.fix) io.stdout.write(`              fix: ${c.fix}\n`);
      if (c.ok && c.warning) io.stdout.write(`              note: ${c.warning}\n`);
    }
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}
