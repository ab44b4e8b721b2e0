// The provider's own words in an OpenAI-style error body (`{"error":{"message":…}}`, `{"error":"…"}`
// or `{"message":…}`), or null when the body is not JSON or says nothing.
export function errorBodyMessage(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === "string" ? parsed.error : (parsed.error?.message ?? parsed.message);
    return typeof message === "string" && message ? message : null;
  } catch {
    return null; // not JSON: the caller decides whether the raw text is worth showing
  }
}
