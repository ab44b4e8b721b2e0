// Who may talk to the dashboard: the page's own origin on loopback, holding the token printed with
// its URL. Pure: the server asks before it serves anything. Host stops DNS rebinding (a foreign
// name resolving to 127.0.0.1), Origin stops cross-site reads and writes, the token stops other
// local users and pages that guess the port.
import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface GuardOptions {
  readonly port: number;
  readonly token: string;
}

export type Refusal = { readonly status: 400 | 401 | 403; readonly message: string };

const LOOPBACK_NAMES = ["127.0.0.1", "localhost"];

/** null when the request may be served; otherwise the status and why. */
export function refuse(method: string, url: URL, headers: IncomingHttpHeaders, options: GuardOptions): Refusal | null {
  const hosts = LOOPBACK_NAMES.map((name) => `${name}:${options.port}`);
  if (!headers.host || !hosts.includes(headers.host.toLowerCase())) return { status: 403, message: `Host ${headers.host ?? "(none)"} is not this dashboard` };
  const origin = headers.origin;
  if (origin !== undefined && !hosts.some((host) => origin.toLowerCase() === `http://${host}`)) return { status: 403, message: `Origin ${origin} may not use this dashboard` };
  // A write must say where it comes from: browsers send Origin on every POST.
  if (method !== "GET" && method !== "HEAD" && origin === undefined) return { status: 403, message: "a write without an Origin header" };
  if (!sameToken(tokenOf(url, headers), options.token)) return { status: 401, message: "missing or wrong token: open the URL codex-relay ui printed" };
  return null;
}

function tokenOf(url: URL, headers: IncomingHttpHeaders): string {
  const bearer = /^Bearer (\S+)$/.exec(headers.authorization ?? "")?.[1];
  return bearer ?? url.searchParams.get("token") ?? "";
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
