// The list's query string (`/api/requests?limit=&before=&after=&refresh=&filter=`) read into a
// PageQuery; ids are checked against the protocol's pattern, so a cursor is never a path.
import { RelayError } from "../errors.js";
import { ID_PATTERN } from "../protocol/layout.js";
import type { PageQuery } from "./ui-figures.js";

/** At most this many ids to read again in one live update (the open rows a page holds). */
const MAX_REFRESH = 500;

export function pageQuery(params: URLSearchParams): PageQuery {
  const id = (name: string) => {
    const value = params.get(name);
    if (value === null || value === "") return undefined;
    if (!ID_PATTERN.test(value)) throw badParam(name, value);
    return value;
  };
  const limitText = params.get("limit");
  const limit = limitText === null || limitText === "" ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw badParam("limit", limitText!);
  const refresh = (params.get("refresh") ?? "").split(",").filter(Boolean).slice(0, MAX_REFRESH);
  for (const value of refresh) if (!ID_PATTERN.test(value)) throw badParam("refresh", value);
  return { limit, before: id("before"), after: id("after"), refresh, filter: params.get("filter") ?? undefined };
}

function badParam(name: string, value: string): RelayError {
  return new RelayError("invalid_request", `the list's ${name}=${JSON.stringify(value.slice(0, 60))} is not ${name === "limit" ? "a positive whole number" : "a request id"}`, { hint: "Reload the dashboard: its list asks with ids it was given." });
}
