// effectiveProvider resolves the provider as Codex does: relay overrides, then the user's config.
import { describe, expect, it } from "vitest";
import { effectiveProvider } from "../../src/codex/provider.js";

describe("effectiveProvider", () => {
  it("defaults to OpenAI's API, or the user's openai_base_url", () => {
    expect(effectiveProvider({}, {})).toEqual({ id: "openai", name: "OpenAI", baseUrl: "https://api.openai.com/v1", envKey: "OPENAI_API_KEY" });
    expect(effectiveProvider({}, { openai_base_url: "http://proxy.local/v1" }).baseUrl).toBe("http://proxy.local/v1");
  });

  it("takes a custom provider's table, the relay's overrides over the user's config", () => {
    const user = { model_provider: "azure", model_providers: { azure: { name: "Azure", base_url: "https://a.example/v1", env_key: "AZURE_KEY" } } };
    expect(effectiveProvider({}, user)).toEqual({ id: "azure", name: "Azure", baseUrl: "https://a.example/v1", envKey: "AZURE_KEY" });
    const overrides = { model_providers: { azure: { base_url: "http://127.0.0.1:1/v1" } } };
    expect(effectiveProvider(overrides, user)).toMatchObject({ name: "Azure", baseUrl: "http://127.0.0.1:1/v1", envKey: "AZURE_KEY" });
  });

  it("says so when a custom provider has no base_url", () => {
    expect(effectiveProvider({ model_provider: "x" }, {})).toMatchObject({ id: "x", name: "x", baseUrl: "(no base_url configured)", envKey: null });
  });
});
