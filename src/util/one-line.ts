// Text for a one-line field (a RESULT summary, a log line): whitespace runs collapsed, and clipped
// to `max` characters with "..." when longer.
export function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}
