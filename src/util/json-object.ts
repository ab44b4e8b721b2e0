// Outside text that should hold one JSON object (a RESULT, a log line): the object, or null when it
// is being written, damaged or something else.

export function jsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // not JSON: the caller treats it as absent
  }
}
