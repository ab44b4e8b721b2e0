// The request `codex-relay replay <id>` publishes: the recorded request's text as it is now, with
// `replay_of: "<id>"` in its front matter (quoted: an unquoted id reads as a YAML number). Pure.

const OPENING = /^\uFEFF?---[ \t]*\r?\n/;

export function replayRequestText(text: string, replayOf: string): string {
  const line = `replay_of: "${replayOf}"`;
  if (OPENING.test(text)) return text.replace(OPENING, `---\n${line}\n`);
  return `---\n${line}\n---\n${text.replace(/^\uFEFF/, "")}`;
}
