// What one redaction rule is, and the pieces every rule's pattern is built from.

export const REDACTED = "[REDACTED]";

/**
 * A global pattern and what each of its matches becomes. `undefined` declines the match: its text
 * is kept and scanning resumes one character in, so a declined match hides nothing inside it.
 */
export interface Rule {
  /** What the rule finds, as RESULTs count it (`api_key`, `env_value`, …); never the value. */
  readonly kind: string;
  readonly pattern: RegExp;
  /**
   * A cheap pattern (no lookbehind, a literal at its start) that every match of `pattern` contains:
   * a text without it is skipped whole. The patterns' lookbehinds make V8 try them at every
   * position; a hint's leading literal lets it skip ahead.
   */
  readonly hint?: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string | undefined;
}

/** Counts of redacted values by kind; never the values. */
export type RedactionTally = Map<string, number>;

/** `text` with every match of `rule` replaced, left to right; `tally` counts the replacements. */
export function applyRule(text: string, rule: Rule, tally?: RedactionTally): string {
  const { pattern, hint } = rule;
  if (hint !== undefined && !hint.test(text)) return text;
  pattern.lastIndex = 0;
  let out = "";
  let copied = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const replacement = rule.replace(match[0], ...match.slice(1).map((group) => group ?? ""));
    if (replacement === undefined || match[0] === "") {
      pattern.lastIndex = match.index + 1;
      continue;
    }
    if (tally) tally.set(rule.kind, (tally.get(rule.kind) ?? 0) + 1);
    out += text.slice(copied, match.index) + replacement;
    copied = match.index + match[0].length;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

export const whole = (): string => REDACTED;

/**
 * A lookbehind: not right after one of `chars` (a character class body), unless that character
 * ends an escape. Requests carry text as JSON strings in their front matter, so `\nsk-…` or
 * `\tpassword=…` must still start a secret there.
 */
export function notAfter(chars: string): string {
  return String.raw`(?<!(?<!\\)[${chars}])`;
}
