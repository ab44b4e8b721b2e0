// A request's kind and the first line of its issue, for listings: read straight from the text
// where it has the plain shape codex-relay's writer gives it (a plain `kind:`/`issue:` in the front
// matter, an `## Issue` section), and from the full parser otherwise. The full parser loads zod
// and a YAML reader and costs about a millisecond a request; `status` over thousands of requests
// cannot pay that, and every request the shortcut is unsure of still gets it.

export interface RequestGlance {
  readonly kind: string;
  /** The issue's first non-blank line. */
  readonly issue: string;
}

/** The kind and issue line of a request's text; undefined when it does not parse (as the daemon would reject it). */
export async function glanceAtRequest(text: string): Promise<RequestGlance | undefined> {
  const quick = quickGlance(text);
  if (quick) return quick;
  const { parseRequest } = await import("../protocol/parse-request.js");
  const parsed = parseRequest(text);
  return parsed.ok ? { kind: parsed.request.kind, issue: firstLine(parsed.request.issue) } : undefined;
}

// A YAML plain scalar on one line, which reads as itself: no quote, block or flow opener, no
// comment or mapping inside.
const PLAIN = /^[^\s"'|>[\]{}&*!%@`#,?:-][^#]*$/;
const KINDS = new Set(["analysis", "diagnose", "patch", "micro"]);

/** The glance when the text's shape is plain enough to be sure of it; undefined to ask the full parser. */
export function quickGlance(text: string): RequestGlance | undefined {
  if (text.includes("\r") || text.charCodeAt(0) === 0xfeff) return undefined;
  let body = text;
  const fields = new Map<string, string>();
  if (text.startsWith("---\n")) {
    const end = text.indexOf("\n---\n", 3);
    if (end < 0) return undefined;
    for (const line of text.slice(4, end).split("\n")) {
      const match = /^([a-z_]+):(?:[ \t]+(.*))?$/.exec(line);
      if (match) fields.set(match[1]!, (match[2] ?? "").trim());
      else if (!/^\s/.test(line) && line.trim() !== "") return undefined; // not a simple mapping
    }
    body = text.slice(end + 5);
  }
  const kindText = fields.get("kind");
  if (kindText !== undefined && !KINDS.has(kindText)) return undefined;
  const kind = kindText ?? "analysis";
  const issueText = fields.get("issue");
  if (issueText !== undefined && issueText !== "") {
    if (!PLAIN.test(issueText) || issueText.includes(": ") || /^(?:null|Null|NULL|~)$/.test(issueText)) return undefined;
    return { kind, issue: issueText };
  }
  // The first `## Issue` section; anything else (other headings, a preamble only) is the parser's.
  const heading = /^## +Issue *$/im.exec(body);
  if (!heading) return undefined;
  const after = body.slice(heading.index + heading[0].length).split("\n");
  for (const line of after) {
    if (/^#{1,2} /.test(line) || /^(```|~~~)/.test(line)) return undefined;
    if (line.trim() !== "") return { kind, issue: line.trim() };
  }
  return undefined;
}

function firstLine(issue: string): string {
  return issue.split("\n").find((line) => line.trim())?.trim() ?? "";
}
