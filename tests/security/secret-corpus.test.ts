// The generated secret corpus through redact(): no planted value survives, whatever its shape or
// context, and the decoys around them (commit shas, UUIDs, ordinary settings) all do. Also as the
// front matter carries text (JSON strings) and as redactDeep sees it, and redacting twice changes nothing.
import { describe, expect, test } from "vitest";
import { createRedactor } from "../../src/security/redact.js";
import { ASSIGNMENT_RULES } from "../../src/security/secret-assignments.js";
import { SHAPE_RULES } from "../../src/security/secret-shapes.js";
import { CONTEXTS, generateCorpus, SHAPES, type CorpusDocument } from "./secret-corpus.js";

const SEED = 0x5ec2e7;
const corpus = generateCorpus(SEED, 1_200);
const redactor = createRedactor({ env: {}, envNames: [] });

/** Every planted value still in `text`, with its shape and context, for a message that says what leaked. */
function survivors(documents: readonly CorpusDocument[], textOf: (document: CorpusDocument) => string): string[] {
  return documents.flatMap((document) => {
    const text = textOf(document);
    return document.planted.filter(({ value }) => text.includes(value)).map(({ shape, value }) => `${shape} in ${document.context}: ${value}`);
  });
}

describe("the secret corpus", () => {
  test("is deterministic, holds at least 1,000 secrets, and every shape in every context", () => {
    expect(generateCorpus(SEED, 1_200)).toEqual(corpus);
    const planted = corpus.flatMap((document) => document.planted);
    expect(planted.length).toBeGreaterThanOrEqual(1_000);
    expect(new Set(planted.map((p) => p.value)).size).toBe(planted.length);
    for (const context of CONTEXTS) {
      const shapes = new Set(corpus.filter((d) => d.context === context).flatMap((d) => d.planted.map((p) => p.shape)));
      expect([...shapes].sort(), context).toEqual([...SHAPES].sort());
    }
    for (const document of corpus) for (const { value } of document.planted) expect(document.text).toContain(value);
  });

  test("redact() leaves none of the planted values", () => {
    expect(survivors(corpus, (document) => redactor.redact(document.text))).toEqual([]);
  });

  test("redact() leaves none of them when the whole corpus is one text", () => {
    const all = redactor.redact(corpus.map((document) => document.text).join("\n\n"));
    expect(survivors(corpus, () => all)).toEqual([]);
  });

  test("nor inside JSON strings, as a request's front matter carries them", () => {
    expect(survivors(corpus, (document) => redactor.redact(JSON.stringify({ logs: document.text })))).toEqual([]);
  });

  test("nor through redactDeep", () => {
    expect(survivors(corpus, (document) => JSON.stringify(redactor.redactDeep({ text: document.text, nested: [{ text: document.text }] })))).toEqual([]);
  });

  test("keeps every decoy and the text around the secrets", () => {
    const lost = corpus.flatMap((document) => {
      const text = redactor.redact(document.text);
      return document.decoys.filter((decoy) => !text.includes(decoy)).map((decoy) => `${document.context}: ${decoy}`);
    });
    expect(lost).toEqual([]);
    expect(corpus.reduce((n, document) => n + document.decoys.length, 0)).toBeGreaterThan(300);
  });

  test("redacting twice is redacting once", () => {
    for (const document of corpus) {
      const once = redactor.redact(document.text);
      expect(redactor.redact(once)).toBe(once);
    }
  });

  test("every rule's hint (the pre-check that skips a text) is in every match of the rule, so a skip never lets a secret through", () => {
    const texts = corpus.flatMap((document) => [document.text, JSON.stringify({ logs: document.text })]);
    let matches = 0;
    for (const rule of [...SHAPE_RULES, ...ASSIGNMENT_RULES]) {
      expect(rule.hint, rule.kind).toBeInstanceOf(RegExp);
      const pattern = new RegExp(rule.pattern.source, rule.pattern.flags);
      const missed = texts.flatMap((text) => [...text.matchAll(pattern)].map((match) => match[0]).filter((found) => !rule.hint!.test(found)));
      expect(missed, rule.kind).toEqual([]);
      matches += texts.reduce((n, text) => n + [...text.matchAll(pattern)].length, 0);
    }
    expect(matches).toBeGreaterThan(1_000);
  });
});
