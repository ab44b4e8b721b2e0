import { describe, expect, test } from "vitest";
import { findPhrases, indexOfPhrase, matchPhraseLine, MarkdownTracker, saysEmptyPhrase } from "../../src/transcripts/phrase.js";

const issues = (text: string): string[] => findPhrases(text).map((match) => match.issue);

describe("findPhrases: what counts as saying the phrase", () => {
  test("a line of its own, with the issue trimmed, and the offset of that line", () => {
    const text = "I am stuck on this.\n\nDELEGATE TO CODEX:   flaky login test on CI  \nThanks";
    expect(findPhrases(text)).toEqual([{ issue: "flaky login test on CI", offset: text.indexOf("DELEGATE") }]);
  });

  test("up to three spaces, a list marker and bold are allowed", () => {
    expect(issues("   DELEGATE TO CODEX: a")).toEqual(["a"]);
    expect(issues("- DELEGATE TO CODEX: b")).toEqual(["b"]);
    expect(issues("* DELEGATE TO CODEX: c")).toEqual(["c"]);
    expect(issues("2. DELEGATE TO CODEX: d")).toEqual(["d"]);
    expect(issues("**DELEGATE TO CODEX:** e")).toEqual(["e"]);
    expect(issues("**DELEGATE TO CODEX: f**")).toEqual(["f"]);
    expect(issues("- __DELEGATE TO CODEX:__ g")).toEqual(["g"]);
  });

  test("any letter case, at the start of a line", () => {
    expect(issues("delegate to codex: lower case")).toEqual(["lower case"]);
    expect(issues("Delegate to Codex: title case")).toEqual(["title case"]);
    expect(issues("- dElEgAtE tO cOdEx: mixed")).toEqual(["mixed"]);
    expect(issues("*Delegate to Codex:* single emphasis")).toEqual(["single emphasis"]);
  });

  test("at the start of a sentence, after . ! or ? and a space, with or without emphasis", () => {
    expect(issues("Please look. DELEGATE TO CODEX: the cart total is off")).toEqual(["the cart total is off"]);
    expect(issues("It broke again! delegate to codex: why does login fail?")).toEqual(["why does login fail?"]);
    expect(issues("Can you help? **Delegate to Codex:** flaky test")).toEqual(["flaky test"]);
    expect(issues('She said "stop." Delegate to Codex: after a closing quote')).toEqual(["after a closing quote"]);
  });

  test("mentions, headings, inline code and mid-sentence are not the phrase", () => {
    expect(issues("Write DELEGATE TO CODEX: <issue> to hand work over")).toEqual([]);
    expect(issues("you can write delegate to codex: the issue, to hand it over")).toEqual([]);
    expect(issues("`DELEGATE TO CODEX: inline code`")).toEqual([]);
    expect(issues("See this. `Delegate to Codex: inside code after a sentence`")).toEqual([]);
    expect(issues("Use ``x` DELEGATE TO CODEX: still code``. Done.")).toEqual([]);
    expect(issues("## DELEGATE TO CODEX: a heading")).toEqual([]);
    expect(issues("DELEGATE TO CODEX - no colon")).toEqual([]);
    expect(issues("e.g.DELEGATE TO CODEX: no space after the stop")).toEqual([]);
    expect(issues("To hand work over, e.g. DELEGATE TO CODEX: an example, or i.e. delegate to codex: another")).toEqual([]);
  });

  test("an empty issue or a placeholder is not a request", () => {
    expect(issues("DELEGATE TO CODEX:")).toEqual([]);
    expect(issues("DELEGATE TO CODEX:    ")).toEqual([]);
    expect(issues("DELEGATE TO CODEX: <issue>")).toEqual([]);
    expect(issues("DELEGATE TO CODEX: ...")).toEqual([]);
    expect(issues("**DELEGATE TO CODEX:**")).toEqual([]);
  });

  test("saysEmptyPhrase finds the phrase said with nothing after it, and only as prose", () => {
    expect(saysEmptyPhrase("DELEGATE TO CODEX:")).toBe(true);
    expect(saysEmptyPhrase("Look at this. delegate to codex:   ")).toBe(true);
    expect(saysEmptyPhrase("**Delegate to Codex:**")).toBe(true);
    expect(saysEmptyPhrase("DELEGATE TO CODEX: something")).toBe(false);
    expect(saysEmptyPhrase("```\nDELEGATE TO CODEX:\n```")).toBe(false);
    expect(saysEmptyPhrase("no phrase here")).toBe(false);
  });

  test("the issue is one line: the next line is not part of it", () => {
    expect(issues("DELEGATE TO CODEX: first line\nsecond line")).toEqual(["first line"]);
  });

  test("CRLF line endings", () => {
    expect(issues("hello\r\nDELEGATE TO CODEX: windows editor\r\nbye\r\n")).toEqual(["windows editor"]);
  });
});

describe("findPhrases: quoted material never counts", () => {
  test("inside a backtick fence, a tilde fence, and a longer fence closed only by a long enough one", () => {
    const text = [
      "```bash",
      "DELEGATE TO CODEX: in backticks",
      "```",
      "~~~",
      "DELEGATE TO CODEX: in tildes",
      "~~~",
      "````",
      "```",
      "DELEGATE TO CODEX: still in the four-backtick fence",
      "````",
      "DELEGATE TO CODEX: after all fences",
    ].join("\n");
    expect(issues(text)).toEqual(["after all fences"]);
  });

  test("an unclosed fence runs to the end of the message", () => {
    expect(issues("```\nDELEGATE TO CODEX: never closed")).toEqual([]);
  });

  test("``` with a backtick in its info string is inline code, not a fence", () => {
    expect(issues("``` `x` ```\nDELEGATE TO CODEX: not fenced")).toEqual(["not fenced"]);
  });

  test("block quotes and their lazy continuation lines, up to a blank line", () => {
    const text = ["> DELEGATE TO CODEX: quoted", "DELEGATE TO CODEX: lazy continuation of the quote", "", "DELEGATE TO CODEX: after the quote"].join("\n");
    expect(issues(text)).toEqual(["after the quote"]);
  });

  test("a list item right after a quote line starts a new block", () => {
    expect(issues("> a quote\n- DELEGATE TO CODEX: a list item")).toEqual(["a list item"]);
  });

  test("indented code (four spaces or a tab)", () => {
    expect(issues("    DELEGATE TO CODEX: four spaces\n\tDELEGATE TO CODEX: a tab")).toEqual([]);
  });
});

describe("findPhrases: several phrases in one message", () => {
  test("two different issues are two requests, in order", () => {
    expect(issues("DELEGATE TO CODEX: one\ntext\nDELEGATE TO CODEX: two")).toEqual(["one", "two"]);
  });

  test("the same issue twice is one request, at its first line", () => {
    const text = "DELEGATE TO CODEX: same\n\nDELEGATE TO CODEX: same";
    expect(findPhrases(text)).toEqual([{ issue: "same", offset: 0 }]);
  });
});

describe("MarkdownTracker", () => {
  test("reads bytes and strings alike, and resumes from a snapshot inside a fence", () => {
    const tracker = new MarkdownTracker();
    const line = (text: string): boolean => tracker.isProse(Buffer.from(text));
    expect(line("prose")).toBe(true);
    expect(line("~~~~ js")).toBe(false);
    const resumed = new MarkdownTracker(tracker.snapshot());
    expect(tracker.snapshot()).toEqual({ quote: false, fence: { marker: "~", length: 4 } });
    expect(resumed.isProse("still code")).toBe(false);
    expect(resumed.isProse("~~~~")).toBe(false);
    expect(resumed.isProse("prose again")).toBe(true);
  });

  test("matchPhraseLine reads one line", () => {
    expect(matchPhraseLine("+ **DELEGATE TO CODEX: bold bullet**")).toBe("bold bullet");
    expect(matchPhraseLine("    DELEGATE TO CODEX: too deep")).toBeUndefined();
  });
});

describe("indexOfPhrase", () => {
  test("skips look-alikes that share the first bytes and finds the phrase itself", () => {
    const bytes = Buffer.from("CODEX_DELEGATION_REQUEST_1.md DELEGATE TO CODEX DELEGATE TO CODEX: x");
    expect(indexOfPhrase(bytes, 0)).toBe(bytes.indexOf("DELEGATE TO CODEX:"));
    expect(indexOfPhrase(bytes, bytes.indexOf("DELEGATE TO CODEX:") + 1)).toBe(-1);
  });

  test("finds the phrase in any letter case, in order, and nothing that only ends like it", () => {
    const bytes = Buffer.from('{"a":"index: 1, prefix: 2"} relegate to codex: no. Delegate to Codex: one; delegate to codex: two; DELEGATE TO CODEX: three');
    const found: number[] = [];
    for (let i = indexOfPhrase(bytes, 0); i !== -1; i = indexOfPhrase(bytes, i + 1)) found.push(i);
    const text = bytes.toString();
    expect(found).toEqual([text.indexOf("Delegate to Codex:"), text.indexOf("delegate to codex: two"), text.indexOf("DELEGATE TO CODEX:")]);
  });

  test("a phrase cut off by the end of the buffer is not found", () => {
    expect(indexOfPhrase(Buffer.from("text DELEGATE TO CODE"), 0)).toBe(-1);
    expect(indexOfPhrase(Buffer.from("DELEGATE TO CODEX:"), 0)).toBe(0);
  });
});
