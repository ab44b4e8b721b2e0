// Whether a run's model calls can go through the gateway, and the `-c` table that points Codex
// at it: a custom provider's `base_url`, or `openai_base_url` for the built-in provider on an API
// key (from the environment or `codex login --with-api-key`). A ChatGPT sign-in and the local
// built-ins stay direct. Pure.
import type { ProviderInfo } from "./provider.js";

/** What Codex's auth.json holds, as far as routing cares (never the values). */
export interface CodexAuth {
  /** Signed in with ChatGPT: `tokens` present. */
  readonly chatgpt: boolean;
  /** An API key stored by `codex login --with-api-key`. */
  readonly apiKey: boolean;
}

// Built-in providers whose table a `-c model_providers.<id>` cannot replace, and that stay on the machine anyway.
const LOCAL_BUILT_INS = new Set(["ollama", "lmstudio"]);

/** A function from the gateway's base_url to the `-c` table, or null when the run goes direct. */
export function gatewayPlan(enabled: boolean, provider: ProviderInfo, env: Readonly<Record<string, string | undefined>>, auth: CodexAuth): ((baseUrl: string) => Record<string, unknown>) | null {
  if (!enabled || !/^https?:\/\//.test(provider.baseUrl) || LOCAL_BUILT_INS.has(provider.id)) return null;
  if (provider.id !== "openai") return (baseUrl) => ({ model_providers: { [provider.id]: { base_url: baseUrl } } });
  // A signed-in user's traffic goes to ChatGPT's backend with its own tokens: never re-routed.
  if (auth.chatgpt || !(env.OPENAI_API_KEY || env.CODEX_API_KEY || auth.apiKey)) return null;
  return (baseUrl) => ({ openai_base_url: baseUrl });
}

/** CodexAuth from auth.json's text (absent or unreadable: neither). */
export function codexAuthOf(text: string | null): CodexAuth {
  if (text === null) return { chatgpt: false, apiKey: false };
  try {
    const auth = JSON.parse(text) as { tokens?: unknown; OPENAI_API_KEY?: unknown };
    return { chatgpt: typeof auth.tokens === "object" && auth.tokens !== null, apiKey: typeof auth.OPENAI_API_KEY === "string" && auth.OPENAI_API_KEY !== "" };
  } catch {
    return { chatgpt: true, apiKey: false }; // unreadable: assume a sign-in, which is never re-routed
  }
}
