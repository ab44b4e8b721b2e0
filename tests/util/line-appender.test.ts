// Lines appended synchronously: in the file when write() returns, whole beside another writer's,
// dropped (never thrown) when the file cannot be written or after close.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LineAppender } from "../../src/util/line-appender.js";
import { useScratchDir } from "../helpers/scratch-dir.js";

const scratch = useScratchDir("relay-line-appender-");

describe("LineAppender", () => {
  it("creates its file on the first line and has each line in it when write() returns", async () => {
    const file = path.join(await scratch(), "events.jsonl");
    const log = new LineAppender(file);
    expect(existsSync(file)).toBe(false);
    expect(log.write('{"type":"a"}\n')).toBe(true);
    appendFileSync(file, '{"type":"other writer"}\n');
    expect(log.write('{"type":"b"}\n')).toBe(true);
    expect(readFileSync(file, "utf8")).toBe('{"type":"a"}\n{"type":"other writer"}\n{"type":"b"}\n');
    log.close();
    expect(log.write('{"type":"late"}\n')).toBe(false);
    expect(readFileSync(file, "utf8")).not.toContain("late");
  });

  it("drops a line it cannot write (its folder is gone) instead of throwing", async () => {
    const log = new LineAppender(path.join(await scratch(), "removed", "events.jsonl"));
    expect(log.write("line\n")).toBe(false);
    expect(log.opened).toBe(false);
    log.close();
  });
});
