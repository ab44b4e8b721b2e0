import { describe, expect, it } from "vitest";
import { parsePlanStep } from "../../src/protocol/plan-step.js";
import { parseTaskPacket } from "../../src/protocol/task-packet.js";

describe("parsePlanStep", () => {
  it("reads a step as a task packet plus its `## Files`, normalized, without repeats", () => {
    const step = parsePlanStep(
      '---\nplan_id: "20260101_120000"\nstep: 2\nsteps: 3\n---\n# Export two\n\nAdd `two`.\n\n## Files\n- `./src/util.js` — the new constant\n- src/util.js\n- lib/ (a folder)\n\n## Verification\n```\nnode test.js\n```\n',
    );
    expect(step).toMatchObject({ title: "Export two", description: "Add `two`.", verification: ["node test.js"], files: ["src/util.js", "lib/**"], plan: false, problems: [] });
  });

  it("drops a file that could leave the workspace and says why", () => {
    const step = parsePlanStep("# Step\n\n## Files\n- ../secrets.txt\n- src/a.js\n");
    expect(step.files).toEqual(["src/a.js"]);
    expect(step.problems.join("\n")).toMatch(/`\.\.` segment/);
  });
});

describe("a task packet marked for planning", () => {
  it("is `plan: true` only when its front matter says so", () => {
    expect(parseTaskPacket("---\nplan: true\n---\n# Big\n").plan).toBe(true);
    expect(parseTaskPacket("---\nplan: yes\n---\n# Big\n").plan).toBe(true);
    expect(parseTaskPacket("# Small\n\nplan: true\n").plan).toBe(false);
    expect(parseTaskPacket('---\nplan: "20260101_120000"\n---\n# A step\n').plan).toBe(false);
  });
});
