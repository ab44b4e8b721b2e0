// Which runs the gateway carries, and how Codex is pointed at it; a ChatGPT sign-in never.
import { describe, expect, it } from "vitest";
import { codexAuthOf, gatewayPlan } from "../../src/codex/gateway-plan.js";
import type { ProviderInfo } from "../../src/codex/provider.js";

const openai: ProviderInfo = { id: "openai", name: "OpenAI", baseUrl: "https://api.openai.com/v1", envKey: "OPENAI_API_KEY" };
const custom: ProviderInfo = { id: "azure", name: "Azure", baseUrl: "https://x.openai.azure.com/openai", envKey: "AZURE_KEY" };
const none = codexAuthOf(null);
const GW = "http://127.0.0.1:1/r/s";

describe("gatewayPlan", () => {
  it("overrides a custom provider's base_url", () => {
    expect(gatewayPlan(true, custom, {}, none)?.(GW)).toEqual({ model_providers: { azure: { base_url: GW } } });
  });

  it("overrides openai_base_url for the built-in provider on an API key, from the env or auth.json", () => {
    expect(gatewayPlan(true, openai, { OPENAI_API_KEY: "k" }, none)?.(GW)).toEqual({ openai_base_url: GW });
    expect(gatewayPlan(true, openai, {}, codexAuthOf('{"OPENAI_API_KEY":"sk-x","tokens":null}'))?.(GW)).toEqual({ openai_base_url: GW });
  });

  it("leaves a ChatGPT sign-in, the local built-ins and a disabled gateway direct", () => {
    expect(gatewayPlan(true, openai, { OPENAI_API_KEY: "k" }, codexAuthOf('{"OPENAI_API_KEY":null,"tokens":{"id_token":"t"}}'))).toBeNull();
    expect(gatewayPlan(true, { ...custom, id: "ollama", baseUrl: "http://localhost:11434/v1" }, {}, none)).toBeNull();
    expect(gatewayPlan(false, custom, {}, none)).toBeNull();
    expect(gatewayPlan(true, openai, {}, none)).toBeNull();
  });
});
