// What an upstream failure means for the run: the RelayError that ends it, with the provider's
// own words. Pure.
import { RelayError } from "../errors.js";
import { errorBodyMessage } from "../util/error-body.js";

/** A connection that never got an answer: refused, DNS, TLS, reset. */
export function unreachable(provider: string, cause: NodeJS.ErrnoException): RelayError {
  const why = cause.code && !cause.message.includes(cause.code) ? `${cause.code}: ${cause.message}` : cause.message;
  return new RelayError("codex_unreachable", `the model gateway could not reach ${provider} (${why}); the run was stopped at the first attempt`, { cause });
}

/** An HTTP answer that ends the run at once: 401/403 (not authenticated), 429 past the wait bound. */
export function httpTrouble(provider: string, status: number, body: string, waitedS?: number): RelayError | null {
  const said = providerMessage(body);
  if (status === 401 || status === 403) {
    return new RelayError("codex_not_authenticated", `${provider} refused the key (HTTP ${status}): ${said}`);
  }
  if (status === 429) {
    const waited = waitedS ? ` after waiting ${waitedS} s for Retry-After` : "";
    return new RelayError("codex_rate_limited", `${provider} is rate limiting (HTTP 429${waited}): ${said}`);
  }
  return null;
}

/**
 * A 5xx: Codex retries it on its own and, when it gives up, reports only "high demand". The
 * provider's status and words are kept so the RESULT can say what the provider said.
 */
export function serverError(provider: string, status: number, body: string): RelayError {
  return new RelayError("codex_http_error", `${provider} answered HTTP ${status}: ${providerMessage(body)}`);
}

/** Seconds a 429 asks to wait (`Retry-After` in seconds or as an HTTP date); null when it does not say. */
export function retryAfterS(header: string | string[] | undefined, now: Date): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  if (/^\d+(?:\.\d+)?$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, (at - now.getTime()) / 1000);
}

/** The provider's message, else its raw text (a proxy's HTML error page says something too). */
function providerMessage(body: string): string {
  return errorBodyMessage(body) ?? (body.trim().slice(0, 500) || "(no message)");
}
