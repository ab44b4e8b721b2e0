// The `#` and `##` headings of a rendered report, skipping fenced blocks (a shell comment or a
// copied ROUTE_DECISION inside a fence is not a heading a reader sees).
export function headings(markdown: string): string[] {
  let fence: string | null = null;
  const out: string[] = [];
  for (const line of markdown.split("\n")) {
    const ticks = /^(`{3,})/.exec(line)?.[1];
    if (ticks && (fence === null || (ticks === fence && line.trim() === ticks))) fence = fence === null ? ticks : null;
    else if (fence === null && /^##? /.test(line)) out.push(line);
  }
  return out;
}
