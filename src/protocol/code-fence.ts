// The backticks that wrap text as Markdown code so that nothing inside can close it.

/** A run of backticks longer than any inside `text` and at least `min` long: a code fence (3) or an inline code span (1). */
export function fenceFor(text: string, min = 3): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(min, longest + 1));
}
