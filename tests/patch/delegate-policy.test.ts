// The delegate policy alone (pure): it approves exactly the diagnoses a person would have no say
// in, and names every reason it does not.
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load-config.js";
import type { Diagnosis } from "../../src/protocol/diagnosis.js";
import { delegateVerdict } from "../../src/patch/delegate-policy.js";

const config = resolveConfig({
  approval: { level: "delegate", auto_files: ["src/**", "docs/*.md", ".github/**"], halt_on: ["package.json", "**/migrations/**", ".github/**"] },
  patch: { max_files: 3, protected: ["src/generated/**"] },
});

function diagnosis(files: string[], needsWrite = true): Diagnosis {
  return {
    root_cause: "r", technical_explanation: "t", recommended_fix: "f",
    files_to_change: files.map((path) => ({ path, reason: "x" })),
    needs_write: needsWrite, risks: [], verification_notes: "", confidence: "high",
  };
}

describe("delegateVerdict", () => {
  it("approves files that all match auto_files, none halt_on, within the limits", () => {
    expect(delegateVerdict(diagnosis(["src/a.ts", "./src/b/c.ts", "docs/x.md"]), config, true)).toEqual({ approve: true, files: ["src/a.ts", "src/b/c.ts", "docs/x.md"] });
  });

  it("halts at halt_on whatever auto_files says; a glob without a slash halts that name in any folder", () => {
    const verdict = delegateVerdict(diagnosis([".github/workflows/ci.yml", "src/package.json", "src/db/migrations/001.sql"]), config, true);
    expect(verdict.approve).toBe(false);
    const reasons = verdict.approve ? [] : verdict.reasons.join("\n");
    expect(reasons).toContain("`.github/workflows/ci.yml` matches approval.halt_on `.github/**`");
    expect(reasons).toContain("`src/package.json` matches approval.halt_on `package.json`");
    expect(reasons).toContain("`src/db/migrations/001.sql` matches approval.halt_on `**/migrations/**`");
  });

  it("names every other reason: outside auto_files, protected, dependencies, too many files, globs, no verification, no write", () => {
    const verdict = delegateVerdict(diagnosis(["lib/x.ts", "src/generated/y.ts", "src/requirements.txt", "src/a.ts", "src/*.ts", "../etc/passwd"]), config, false);
    const reasons = verdict.approve ? "" : verdict.reasons.join("\n");
    expect(reasons).toContain("`lib/x.ts` matches no approval.auto_files glob");
    expect(reasons).toContain("`src/generated/y.ts` is a protected path");
    expect(reasons).toContain("`src/requirements.txt` declares dependencies");
    expect(reasons).toContain("patch.max_files is 3");
    expect(reasons).toContain("`src/*.ts` is not one file");
    expect(reasons).toContain("`..` segment");
    expect(reasons).toContain("lists no verification commands");
    expect(delegateVerdict(diagnosis(["src/a.ts"], false), config, true)).toEqual({ approve: false, reasons: ["the diagnosis says no file needs to change (needs_write: false)"] });
    expect(delegateVerdict(diagnosis([]), config, true)).toMatchObject({ approve: false, reasons: ["the diagnosis names no file it expects to change"] });
  });

  it("approves nothing while auto_files is empty (the default)", () => {
    const none = resolveConfig({ approval: { level: "delegate" } });
    expect(delegateVerdict(diagnosis(["src/a.ts"]), none, true)).toEqual({ approve: false, reasons: ["`src/a.ts` matches no approval.auto_files glob"] });
  });
});
