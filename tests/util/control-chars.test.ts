import { describe, expect, it } from "vitest";
import { stripAnsi, stripControl } from "../../src/util/control-chars.js";

describe("control characters", () => {
  it("takes whole escape sequences out: colours, cursor moves, OSC titles and links", () => {
    expect(stripAnsi("\u001b[31mFAIL\u001b[0m \u001b[2K\u001b[1Gtests 3")).toBe("FAIL tests 3");
    expect(stripAnsi("\u001b]8;;https://x.test\u0007link\u001b]8;;\u0007 \u001b]0;title\u001b\\done")).toBe("link done");
  });

  it("takes out what Node's stripVTControlCharacters cuts short, and what only it knows", () => {
    expect(stripAnsi("\u001b]0;my build title\u0007ok")).toBe("ok"); // an OSC title with spaces
    expect(stripAnsi("\u001b[>4;1mkeys\u001b[?25h")).toBe("keys"); // CSI with a private marker
    expect(stripAnsi("\u001b(Bplain\u001b=")).toBe("plain"); // charset and keypad escapes
    expect(stripControl("\u001b(Bplain")).toBe("plain"); // not "(Bplain"
  });

  it("drops C0/C1 controls, DEL and bidi overrides, and keeps only what it is told to", () => {
    const tricky = "npm test\u202e; rm -rf ~\u202c\u0007\u007f\u0085";
    expect(stripControl(tricky)).toBe("npm test; rm -rf ~");
    expect(stripControl("a\tb\nc\rd")).toBe("abcd");
    expect(stripControl("a\tb\nc\rd", /[\t\n]/)).toBe("a\tb\ncd");
  });
});
