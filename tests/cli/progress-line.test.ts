// The waiting client's progress on stderr (src/cli/progress-line.ts), written to a real Writable:
// as a terminal (isTTY, 48 columns) one status line rewritten in place and cleared before anything
// else, and otherwise one timestamped line per step. The clock is injected; nothing here times.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { formatElapsed, formatTokens, ProgressLine } from "../../src/cli/progress-line.js";

const CLEAR = "\r\x1b[2K";
const ID = "20261203_101500";
const SINCE = Date.parse("2026-12-03T10:15:00Z");

/** A stream that records each write, and says it is a terminal of `columns` columns when asked. */
class Recorder extends Writable {
  readonly writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns = 48,
  ) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.writes.push(String(chunk));
    done();
  }
  /** What a terminal would show after the writes, row by row (\r rewinds, ESC[2K clears the row). */
  get screen(): string[] {
    const rows = [""];
    for (const write of this.writes.join("").split(/(\r\x1b\[2K|\n)/)) {
      if (write === CLEAR) rows[rows.length - 1] = "";
      else if (write === "\n") rows.push("");
      else rows[rows.length - 1] += write;
    }
    return rows;
  }
}

describe("on a terminal", () => {
  it("keeps one status line with the elapsed time, the tokens and the step, cut to the terminal's width", () => {
    const out = new Recorder(true);
    let now = SINCE + 3_000;
    const line = new ProgressLine(out, { id: ID, since: SINCE, now: () => now });
    expect(out.screen).toEqual([`codex-relay ${ID}: 3 s · queued`]);
    now = SINCE + 12_000;
    line.show({ step: "reading src/sum.js", tokens: 1234 }, true);
    line.show({ step: "running npm test -- --coverage --reporter=verbose", tokens: 2048 }, true);
    const status = `codex-relay ${ID}: 12 s, 2.0k tokens · running npm test -- --coverage --reporter=verbose`;
    const shown = out.screen;
    expect(shown).toHaveLength(1); // rewritten in place, never a second row
    expect([...shown[0]!]).toHaveLength(47);
    expect(shown[0]).toBe(`${[...status].slice(0, 46).join("")}…`);
    const writes = out.writes.length;
    line.show({ step: "running npm test -- --coverage --reporter=verbose", tokens: 2048 }, false);
    expect(out.writes).toHaveLength(writes); // nothing changed on screen: nothing written
    line.close();
  });

  it("prints log lines above the status line, and clears it before the result", () => {
    const out = new Recorder(true, 120);
    const line = new ProgressLine(out, { id: ID, since: SINCE, now: () => SINCE + 65_000 });
    line.show({ step: "reconnecting to the provider (3): Reconnecting... 2/5", tokens: null }, true);
    line.print("10:16:05.000 ! codex finished [x] outcome=failed\n");
    expect(out.screen).toEqual(["10:16:05.000 ! codex finished [x] outcome=failed", `codex-relay ${ID}: 1 min 05 s · reconnecting to the provider (3): Reconnecting... 2/5`]);
    line.close();
    expect(out.screen).toEqual(["10:16:05.000 ! codex finished [x] outcome=failed", ""]);
    // After close, writes are plain: an audit line logged later never brings the status line back.
    line.print("10:16:06.000   audit committed\n");
    line.show({ step: "late", tokens: 1 }, true);
    expect(out.screen).toEqual(["10:16:05.000 ! codex finished [x] outcome=failed", "10:16:06.000   audit committed", ""]);
  });

  it("a logger's stream goes through print", () => {
    const out = new Recorder(true, 120);
    const line = new ProgressLine(out, { id: ID, since: SINCE, now: () => SINCE });
    line.stream().write("one log line\n");
    expect(out.screen).toEqual(["one log line", `codex-relay ${ID}: 0 s · queued`]);
    line.close();
  });
});

describe("not on a terminal", () => {
  it("writes one timestamped line per step, nothing for a token count alone, and no control characters", () => {
    const out = new Recorder(false);
    const line = new ProgressLine(out, { id: ID, since: SINCE, now: () => SINCE + 4_000 });
    line.show({ step: "thinking", tokens: null }, true);
    line.show({ step: "thinking", tokens: 15 }, false);
    line.show({ step: "editing src/cart.ts", tokens: 15 }, true);
    line.print("a log line\n");
    line.close();
    expect(out.writes.join("")).toBe(
      [`codex-relay: 10:15:04 ${ID}: thinking (4 s)`, `codex-relay: 10:15:04 ${ID}: editing src/cart.ts (4 s, 15 tokens)`, "a log line", ""].join("\n"),
    );
  });
});

describe("figures", () => {
  it("says durations and token counts briefly", () => {
    expect([0, 59_999, 60_000, 3_599_000, 3_600_000, 7_380_000].map(formatElapsed)).toEqual(["0 s", "59 s", "1 min 00 s", "59 min 59 s", "1 h 00 min", "2 h 03 min"]);
    expect([0, 999, 1000, 12_345, 2_500_000].map(formatTokens)).toEqual(["0 tokens", "999 tokens", "1.0k tokens", "12.3k tokens", "2.5M tokens"]);
  });
});
