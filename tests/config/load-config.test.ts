import { promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig, resolveConfig } from "../../src/config/load-config.js";
import { RelayError } from "../../src/errors.js";
import { testdir } from "../helpers/testdir.js";

const TEMPLATE = fileURLToPath(new URL("../../templates/codex-relay.toml", import.meta.url));

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await testdir({}, { prefix: "relay-config-" });
  file = path.join(dir, "codex-relay.toml");
});


/** Write `toml` to the config file and return the RelayError loading it throws. */
async function loadError(toml: string): Promise<RelayError> {
  await fs.writeFile(file, toml);
  const error = await loadConfig(file).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RelayError);
  return error as RelayError;
}

describe("loadConfig: defaults", () => {
  it("returns every default when the file does not exist", async () => {
    const config = await loadConfig(path.join(dir, "missing.toml"));
    expect(config.codex).toEqual({
      bin: "",
      model: "",
      profile: "",
      allow_request_model: true,
      config: { features: { shell_snapshot: false, plugins: false } },
      env: [],
      unreachable_s: 60,
      keep_sessions: false,
    });
    expect(config.daemon).toEqual({
      concurrency: 1,
      settle_ms: 1500,
      sweep_cron: "*/15 * * * * *",
      heartbeat_s: 5,
      claim_stale_s: 60,
      shutdown_grace_s: 30,
      max_attempts: 3,
    });
    expect(config.watchdog).toEqual({ start_timeout_s: 60, stall_timeout_s: 300, wall_timeout_s: 1800, kill_grace_s: 5 });
    expect(config.limits).toEqual({
      max_request_bytes: 1_048_576,
      max_file_bytes: 200_000,
      max_total_file_bytes: 1_000_000,
      max_files: 40,
      max_log_bytes: 64_000,
    });
    expect(config.security).toEqual({ deny: [], redact_env: [] });
    expect(config.approval).toEqual({ level: "confirm-phase", auto_files: [], halt_on: [] });
    expect(config.audit).toEqual({ enabled: true });
    expect(config.gateway).toEqual({ enabled: true, redact: true, max_retry_after_s: 30, record: true, recording_max_bytes: 16_777_216, recordings_max_bytes: 268_435_456 });
    expect(config.budget).toEqual({ prices: {} });
  });

  it("treats an empty file as all defaults", async () => {
    await fs.writeFile(file, "");
    expect(await loadConfig(file)).toEqual(resolveConfig({}));
  });

  it("keeps the user's values and fills the rest of a section with defaults", async () => {
    await fs.writeFile(
      file,
      ['[codex]', 'model = "gpt-5-codex"', 'env = ["MY_TOKEN_VAR"]', "", "[daemon]", "concurrency = 4", "", "[approval]", "required = true"].join("\n"),
    );
    const config = await loadConfig(file);
    expect(config.codex.model).toBe("gpt-5-codex");
    expect(config.codex.env).toEqual(["MY_TOKEN_VAR"]);
    expect(config.codex.bin).toBe("");
    expect(config.daemon.concurrency).toBe(4);
    expect(config.daemon.settle_ms).toBe(1500);
    expect(config.approval.level).toBe("manual"); // the older switch is a synonym of level = "manual"
    expect(config.watchdog.stall_timeout_s).toBe(300);
  });

  it("replaces the default codex.config table when the user writes one", async () => {
    await fs.writeFile(
      file,
      [
        "[codex.config]",
        'model_provider = "local"',
        "[codex.config.model_providers.local]",
        'name = "local"',
        'base_url = "http://127.0.0.1:8000/v1"',
      ].join("\n"),
    );
    const config = await loadConfig(file);
    expect(config.codex.config).toEqual({
      model_provider: "local",
      model_providers: { local: { name: "local", base_url: "http://127.0.0.1:8000/v1" } },
    });
  });
});

describe("loadConfig: the shipped template", () => {
  it("loads and equals the defaults, so the template never drifts from the schema", async () => {
    expect(await loadConfig(TEMPLATE)).toEqual(await loadConfig(path.join(dir, "missing.toml")));
  });

  it("mentions every key of every section", async () => {
    const text = await fs.readFile(TEMPLATE, "utf8");
    const defaults = resolveConfig({});
    for (const [section, values] of Object.entries(defaults)) {
      if (section === "schedule") {
        // an array of tables, empty by default: a commented example shows every key
        expect(text).toMatch(/^# {3}\[\[schedule\]\]$/m);
        for (const key of ["name", "cron", "time_zone", "kind", "issue", "files", "context"]) expect(text, `key schedule.${key}`).toMatch(new RegExp(`^# {3}${key} = `, "m"));
        continue;
      }
      expect(text, `section [${section}]`).toMatch(new RegExp(`^\\[${section}\\]`, "m"));
      for (const key of Object.keys(values as object)) {
        if (section === "codex" && key === "config") continue; // written as [codex.config.features]
        if (section === "budget" && key === "prices") continue; // written as a commented [budget.prices."<model>"]
        expect(text, `key ${section}.${key}`).toMatch(new RegExp(`^${key} = `, "m"));
      }
    }
  });
});

describe("loadConfig: errors", () => {
  it("reports a TOML syntax error as invalid_config with the file, line and column", async () => {
    const error = await loadError('[daemon]\nconcurrency = 2\nsweep_cron = "unterminated\n');
    expect(error.code).toBe("invalid_config");
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/at line 3, column \d+/);
    expect(error.message).toContain("not valid TOML");
    expect(error.hint).toMatch(/codex-relay doctor/);
    expect(error.cause).toBeDefined();
  });

  it("keeps a syntax error message to its first line (no code frame)", async () => {
    const error = await loadError("a = 1\nb = [\n");
    expect(error.message.split("\n")).toHaveLength(1);
    expect(error.message).toMatch(/line 3/);
  });

  it("names file, key, what was expected and what was found for a wrong type", async () => {
    const error = await loadError("[codex]\nmodel = 5\n");
    expect(error.code).toBe("invalid_config");
    expect(error.message).toContain(`${file} is invalid`);
    expect(error.message).toContain("`codex.model`");
    expect(error.message).toMatch(/expected string/);
    expect(error.message).toContain("found number 5");
  });

  it("refuses approval.required = true beside another level, naming both", async () => {
    const error = await loadError('[approval]\nrequired = true\nlevel = "delegate"\n');
    expect(error.code).toBe("invalid_config");
    expect(error.message).toContain("`approval.required`");
    expect(error.message).toContain('level = "manual"');
  });

  it("names an unknown approval level and the levels it accepts", async () => {
    const error = await loadError('[approval]\nlevel = "yolo"\n');
    expect(error.message).toContain("`approval.level`");
    expect(error.message).toMatch(/"manual"\|"confirm-phase"\|"delegate"/);
    expect(error.message).toContain('found the string "yolo"');
  });

  it("names the key and the out-of-range value", async () => {
    const error = await loadError("[daemon]\nconcurrency = 0\n");
    expect(error.message).toContain("`daemon.concurrency`");
    expect(error.message).toMatch(/>=\s*1/);
    expect(error.message).toContain("found number 0");
  });

  it("shows a string value quoted and an array by its content", async () => {
    const wrongString = await loadError('[watchdog]\nstall_timeout_s = "300"\n');
    expect(wrongString.message).toContain("`watchdog.stall_timeout_s`");
    expect(wrongString.message).toContain('found the string "300"');

    const wrongArray = await loadError('[security]\ndeny = "*.secret"\n');
    expect(wrongArray.message).toContain("`security.deny`");
    expect(wrongArray.message).toMatch(/expected array/);
  });

  it("names the element of a list that is wrong", async () => {
    const error = await loadError('[codex]\nenv = ["GOOD_NAME", "bad-name"]\n');
    expect(error.message).toContain("`codex.env.1`");
    expect(error.message).toContain("an environment variable name");
    expect(error.message).toContain('found the string "bad-name"');
  });

  it("names an unknown key with its full dotted path", async () => {
    const error = await loadError('[codex]\nmodle = "gpt-5"\n');
    expect(error.message).toContain("unknown key `codex.modle`");
    expect(error.message).toMatch(/check its spelling/);
  });

  it("names an unknown top-level section", async () => {
    const error = await loadError("[deamon]\nconcurrency = 2\n");
    expect(error.message).toContain("unknown key `deamon`");
  });

  it("lists every problem, one per line", async () => {
    const error = await loadError("[daemon]\nconcurrency = 0\nmax_attempts = 100\n[audit]\nenable = true\n");
    const lines = error.message.split("\n");
    expect(lines[0]).toBe(`${file} is invalid:`);
    expect(lines.slice(1)).toHaveLength(3);
    expect(error.message).toContain("`daemon.concurrency`");
    expect(error.message).toContain("`daemon.max_attempts`");
    expect(error.message).toContain("unknown key `audit.enable`");
  });

  it("rejects a model name that could smuggle a flag or shell syntax", async () => {
    const error = await loadError('[codex]\nmodel = "gpt-5; rm -rf /"\n');
    expect(error.message).toContain("`codex.model`");
    expect(error.message).toContain("a model name");
  });

  it("reports a config path that is a directory as unreadable", async () => {
    const error = await loadConfig(dir).then(
      () => undefined,
      (thrown: unknown) => thrown as RelayError,
    );
    expect(error).toBeInstanceOf(RelayError);
    expect(error!.code).toBe("invalid_config");
    expect(error!.message).toContain(`cannot read ${dir}`);
  });
});

describe("loadConfig: the resolved config", () => {
  it("is deeply frozen", async () => {
    await fs.writeFile(file, '[codex]\nenv = ["A_VAR"]\n[codex.config.model_providers.local]\nname = "local"\n');
    const config = await loadConfig(file);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.codex)).toBe(true);
    expect(Object.isFrozen(config.codex.env)).toBe(true);
    expect(Object.isFrozen(config.codex.config)).toBe(true);
    expect(Object.isFrozen((config.codex.config.model_providers as Record<string, object>).local)).toBe(true);
    expect(() => {
      (config.daemon as { concurrency: number }).concurrency = 9;
    }).toThrow(TypeError);
    expect(config.daemon.concurrency).toBe(1);
  });

  it("defaults of one load never leak into another", async () => {
    const first = await loadConfig(path.join(dir, "missing.toml"));
    expect(Object.isFrozen(first.security.deny)).toBe(true);
    await fs.writeFile(file, '[security]\ndeny = ["*.secret"]\n');
    const second = await loadConfig(file);
    expect(second.security.deny).toEqual(["*.secret"]);
    expect(first.security.deny).toEqual([]);
    const third = await loadConfig(path.join(dir, "missing.toml"));
    expect(third.security.deny).toEqual([]);
    expect(third.codex.config).toEqual({ features: { shell_snapshot: false, plugins: false } });
  });
});

describe("loadConfig: schedules, digest and retention", () => {
  const entry = (name: string, cron: string, zone = "") =>
    `[[schedule]]\nname = "${name}"\ncron = "${cron}"\n${zone ? `time_zone = "${zone}"\n` : ""}issue = "Review the nightly build."\n`;

  it("loads [[schedule]] entries with their defaults", async () => {
    await fs.writeFile(file, `${entry("nightly", "0 30 2 * * *", "Europe/Berlin")}files = ["package.json"]\n${entry("weekly", "0 9 * * 1")}`);
    const config = await loadConfig(file);
    expect(config.schedule).toEqual([
      { name: "nightly", cron: "0 30 2 * * *", time_zone: "Europe/Berlin", kind: "analysis", issue: "Review the nightly build.", files: ["package.json"], context: "" },
      { name: "weekly", cron: "0 9 * * 1", time_zone: "", kind: "analysis", issue: "Review the nightly build.", files: [], context: "" },
    ]);
    expect(config.digest).toEqual({ enabled: false, at: "18:00", time_zone: "" });
    expect(config.retention).toEqual({ days: 30 });
  });

  it("fails on an invalid cron expression, naming the entry, the key and the expression", async () => {
    const error = await loadError(`${entry("nightly", "0 3 * * *")}${entry("broken", "0 61 * * *")}`);
    expect(error.code).toBe("invalid_config");
    expect(error.message).toContain("`schedule.1.cron`");
    expect(error.message).toContain('schedule "broken"');
    expect(error.message).toContain('"0 61 * * *"');
    expect(error.message).not.toContain('schedule "nightly"');
  });

  it("fails on an unknown time zone, naming the entry and the zone", async () => {
    const error = await loadError(entry("nightly", "0 3 * * *", "Mars/Olympus_Mons"));
    expect(error.message).toContain('schedule "nightly"');
    expect(error.message).toContain('time zone "Mars/Olympus_Mons"');
  });

  it("fails on two entries of one name, and on an entry without an issue", async () => {
    const twice = await loadError(`${entry("nightly", "0 3 * * *")}${entry("nightly", "0 4 * * *")}`);
    expect(twice.message).toContain('schedule "nightly" is defined twice');
    const noIssue = await loadError('[[schedule]]\nname = "x"\ncron = "0 3 * * *"\n');
    expect(noIssue.message).toContain("`schedule.0.issue`");
  });

  it("fails on a digest time that is not HH:MM, and on a digest zone that does not exist", async () => {
    expect((await loadError('[digest]\nenabled = true\nat = "6pm"\n')).message).toContain("`digest.at`");
    expect((await loadError('[digest]\nenabled = true\ntime_zone = "Nowhere/Land"\n')).message).toContain("`digest.time_zone`");
  });
});
