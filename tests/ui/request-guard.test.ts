// Who may talk to the dashboard, case by case (the browser test covers the same over real HTTP).
import { describe, expect, it } from "vitest";
import { refuse } from "../../src/ui/request-guard.js";

const options = { port: 4321, token: "t0ken-of-thirty-two-characters-x" };
const url = (query = `?token=${options.token}`) => new URL(`http://127.0.0.1:4321/api/requests${query}`);

describe("refuse", () => {
  it("serves the page's own origin with the token, in the URL or as a bearer", () => {
    expect(refuse("GET", url(), { host: "127.0.0.1:4321" }, options)).toBeNull();
    expect(refuse("GET", url(""), { host: "localhost:4321", authorization: `Bearer ${options.token}` }, options)).toBeNull();
    expect(refuse("POST", url(), { host: "127.0.0.1:4321", origin: "http://127.0.0.1:4321" }, options)).toBeNull();
  });

  it("refuses a missing or wrong token (401), a foreign Host or Origin, and a write without an Origin (403)", () => {
    expect(refuse("GET", url(""), { host: "127.0.0.1:4321" }, options)?.status).toBe(401);
    expect(refuse("GET", url("?token=t0ken-of-thirty-two-characters-y"), { host: "127.0.0.1:4321" }, options)?.status).toBe(401);
    expect(refuse("GET", url(), { host: "evil.example:4321" }, options)?.status).toBe(403);
    expect(refuse("GET", url(), { host: "127.0.0.1:9999" }, options)?.status).toBe(403);
    expect(refuse("GET", url(), {}, options)?.status).toBe(403);
    expect(refuse("GET", url(), { host: "127.0.0.1:4321", origin: "http://127.0.0.1:9999" }, options)?.status).toBe(403);
    expect(refuse("POST", url(), { host: "127.0.0.1:4321" }, options)).toMatchObject({ status: 403, message: "a write without an Origin header" });
  });
});
