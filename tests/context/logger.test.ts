// The daemon log: one redacted JSON line per event, on disk when log() returns (a daemon killed
// right after logging loses nothing), and nothing thrown once the file is closed.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/context/logger.js";
import { createRedactor } from "../../src/security/redact.js";
import { useScratchDir } from "../helpers/scratch-dir.js";

const scratch = useScratchDir("relay-logger-");
const redactor = createRedactor({ env: {}, envNames: [] });

describe("the daemon log file", () => {
  it("holds each line, redacted, as soon as it is logged", async () => {
    const file = path.join(await scratch(), "logs", "daemon.log.jsonl");
    const logger = createLogger({ file, redactor, now: () => new Date("2026-01-02T03:04:05.000Z") });
    logger.log("info", "detected", { id: "20260102_030405" });
    logger.log("warn", "audit failed", { id: "20260102_030405", message: "token=sk-abcdefghijklmnopqrstuvwxyz012345" });
    const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ at: "2026-01-02T03:04:05.000Z", level: "info", event: "detected", id: "20260102_030405" }),
      expect.objectContaining({ level: "warn", event: "audit failed", message: "token=[REDACTED]" }),
    ]);
    await logger.close();
    logger.log("info", "daemon stopped"); // after close: dropped, not thrown
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2);
  });
});
