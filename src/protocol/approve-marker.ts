// The text of a CODEX_DELEGATION_APPROVE_<id> marker (PROTOCOL.md §3.6): who approved and when,
// `approved by <who> at <ISO time>`. Written by `codex-relay approve`; a marker made by hand with
// any other text (or none) still approves, and is recorded as approved by "unknown (APPROVE marker)".
// Pure.

const LINE = /^approved by (.+?) at (\d{4}-\d\d-\d\dT[\d:.]+Z)\s*$/;

export interface ApproveMarker {
  readonly approvedBy: string;
  readonly at: string | null;
}

export function approveMarkerText(approvedBy: string, at: Date): string {
  return `approved by ${approvedBy.replace(/\s+/g, " ").trim() || "unknown"} at ${at.toISOString()}\n`;
}

export function parseApproveMarker(text: string): ApproveMarker {
  const match = LINE.exec(text.split("\n", 1)[0] ?? "");
  return match ? { approvedBy: match[1]!, at: match[2]! } : { approvedBy: "unknown (APPROVE marker)", at: null };
}
