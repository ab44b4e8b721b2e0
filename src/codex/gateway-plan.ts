// Whether a run's model calls can go through the gateway, and the `-c` table that points Codex
// at it: a custom provider's `base_url`, or `openai_base_url` for the built-in provider on an API
// key. A ChatGPT sign-in (auth.json) and the local built-ins stay direct. Pure.
import type { ProviderInfo } from "./provider.js";

// Built-in providers whose table a `-c model_providers.<id>` cannot replace, and that stay on the machine anyway.
const LOCAL_BUILT_INS = new Set(["ollama", "lmstudio"]);

/** A function from the gateway's base_url to the `-c` table, or null when the run goes direct. */
export function gatewayPlan(enabled: boolean, provider: ProviderInfo, env: Readonly<Record<string, string>>, signedIn: boolean): ((baseUrl: string) => Record<string, unknown>) | null {
  if (!enabled || !/^https?:\/\//.test(provider.baseUrl) || LOCAL_BUILT_INS.has(provider.id)) return null;
  if (provider.id !== "openai") return (baseUrl) => ({ model_providers: { [provider.id]: { base_url: baseUrl } } });
  // A signed-in user's traffic goes to ChatGPT's backend with its own tokens: never re-routed.
  if (signedIn || !(env.OPENAI_API_KEY || env.CODEX_API_KEY)) return null;
  return (baseUrl) => ({ openai_base_url: baseUrl });
}
