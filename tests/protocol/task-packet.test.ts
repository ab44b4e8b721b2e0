import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parseTaskPacket, UNTITLED_TASK } from "../../src/protocol/task-packet.js";

const EXAMPLE = fileURLToPath(new URL("../../progress/TASK_PACKET.md", import.meta.url));

describe("parseTaskPacket", () => {
  test("reads the example task packet shipped in progress/", () => {
    const text = readFileSync(EXAMPLE, "utf8");
    const packet = parseTaskPacket(text);
    expect(packet.title).toBe("Fix add()");
    expect(packet.description).toMatch(/^add\(2, 3\) returns -1 instead of 5\./);
    expect(packet.description).not.toContain("<!--");
    expect(packet.verification).toEqual(["npm test"]);
    expect(packet.raw).toBe(text);
    expect(packet.problems).toEqual([]);
  });

  test("the text between the title and the first ## heading is the description", () => {
    const packet = parseTaskPacket(
      "# Fix auth timeout\n\nLogin times out under load.\nSee the pool size.\n\n## Verification\n```bash\n$ pytest tests/test_auth_redis.py -v\n# the load test is slow\n\npython scripts/load_test_auth.py --requests 1000\n```\n",
    );
    expect(packet.title).toBe("Fix auth timeout");
    expect(packet.description).toBe("Login times out under load.\nSee the pool size.");
    expect(packet.verification).toEqual(["pytest tests/test_auth_redis.py -v", "python scripts/load_test_auth.py --requests 1000"]);
  });

  test("a ## Task section is the description when there is no preamble", () => {
    const packet = parseTaskPacket("# T\n\n## Task\nMake the endpoint return 201.\n\n## Verification Commands\n- `npm test`\n- `npm run lint`\n");
    expect(packet.description).toBe("Make the endpoint return 201.");
    expect(packet.verification).toEqual(["npm test", "npm run lint"]);
  });

  test("verification headings match case-insensitively and list items are used when there is no fence", () => {
    const packet = parseTaskPacket("# T\n\n## VERIFICATION:\n1. `make test`\n2. $ make lint\n\n## Notes\n- not a command\n");
    expect(packet.verification).toEqual(["make test", "make lint"]);
  });

  test("fenced blocks win over list items in the same section, and repeats are dropped", () => {
    const packet = parseTaskPacket("# T\n\n## Verification\n- prose about the checks\n\n```\nnpm test\n```\n\n~~~sh\nnpm test\nnpm run build\n~~~\n");
    expect(packet.verification).toEqual(["npm test", "npm run build"]);
  });

  test("a heading inside a fenced block is not a section", () => {
    const packet = parseTaskPacket("# Real title\n\n```md\n# Not a title\n## Verification\n- fake\n```\n\n## Verification\n- npm test\n");
    expect(packet.title).toBe("Real title");
    expect(packet.verification).toEqual(["npm test"]);
  });

  test("front matter title, description and verification win", () => {
    const packet = parseTaskPacket(
      "---\ntitle: From front matter\ndescription: Short description\nverification:\n  - npm test\n  - '$ npm run lint'\n---\n# Body title\n\nBody text\n\n## Verification\n- ignored\n",
    );
    expect(packet).toMatchObject({ title: "From front matter", description: "Short description", verification: ["npm test", "npm run lint"] });
  });

  test("front matter verification may be one string of lines", () => {
    expect(parseTaskPacket("---\nverification: |\n  npm test\n  # comment\n  npm run build\n---\n").verification).toEqual(["npm test", "npm run build"]);
  });

  test("no title anywhere gives the untitled placeholder and no commands", () => {
    const packet = parseTaskPacket("Just some words.\n");
    expect(packet).toMatchObject({ title: UNTITLED_TASK, description: "Just some words.", verification: [] });
  });

  test("JavaScript front matter is never evaluated and is reported", () => {
    const marker = "__codexRelayTaskPacketEval";
    const packet = parseTaskPacket(`---js\n{ title: (globalThis.${marker} = "ran") }\n---\n# Safe title\n\n## Verification\n- npm test\n`);
    expect((globalThis as Record<string, unknown>)[marker]).toBeUndefined();
    expect(packet.title).toBe("Safe title");
    expect(packet.verification).toEqual(["npm test"]);
    expect(packet.problems[0]).toMatch(/front matter language `js` is not supported/);
  });

  test("invalid YAML and wrongly typed keys are reported, the body still read", () => {
    const bad = parseTaskPacket("---\ntitle: [unclosed\n---\n# Body\n\n## Verification\n- npm test\n");
    expect(bad.title).toBe("Body");
    expect(bad.problems[0]).toMatch(/not valid YAML/);
    const typed = parseTaskPacket("---\nverification: {a: 1}\n---\n## Verification\n- npm test\n");
    expect(typed.verification).toEqual(["npm test"]);
    expect(typed.problems).toEqual(["front matter `verification` must be a command or a list of commands; it was ignored"]);
  });

  test("control characters and escape sequences are stripped from title and commands; CRLF is fine", () => {
    const packet = parseTaskPacket("# Fix \u001b[31mred\u001b[0m\u0007 title\r\n\r\n## Verification\r\n- npm\u0000 test\u009b\r\n");
    expect(packet.title).toBe("Fix red title");
    expect(packet.verification).toEqual(["npm test"]);
  });

  test("YAML aliases that would expand into millions of nodes are refused; the Markdown is still read", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const packet = parseTaskPacket(`---\n${levels.join("\n")}\n---\n# Fix the cache\n\n## Verification\n- npm test\n`);
    expect(packet.problems).toEqual(["front matter is too large or too deeply nested (check YAML aliases); it was ignored"]);
    expect(packet.title).toBe("Fix the cache");
    expect(packet.verification).toEqual(["npm test"]);
  });
});
