// Which model provider a Codex run talks to, resolved the way Codex resolves it: the relay's
// `-c` overrides first, then the user's config.toml. Used to name the provider in errors and by
// `doctor` to probe it. Pure.

export interface ProviderInfo {
  /** The `model_provider` id (`openai` when none is set). */
  readonly id: string;
  /** The provider's display name (`name` in its table), or its id. */
  readonly name: string;
  /** Where Codex sends model requests (ends in /v1 for Responses-compatible providers). */
  readonly baseUrl: string;
  /** The environment variable holding the provider's key, if it uses one. */
  readonly envKey: string | null;
}

// Codex's built-in providers and where they live (codex-rs/core model_provider_info.rs).
const BUILT_IN: Record<string, { name: string; baseUrl: string; envKey: string | null }> = {
  openai: { name: "OpenAI", baseUrl: "https://api.openai.com/v1", envKey: "OPENAI_API_KEY" },
  ollama: { name: "Ollama", baseUrl: "http://localhost:11434/v1", envKey: null },
  lmstudio: { name: "LM Studio", baseUrl: "http://localhost:1234/v1", envKey: null },
};

type Table = Readonly<Record<string, unknown>>;

export function effectiveProvider(overrides: Table, userConfig: Table): ProviderInfo {
  const id = text(overrides.model_provider) ?? text(userConfig.model_provider) ?? "openai";
  const table = { ...providerTable(userConfig, id), ...providerTable(overrides, id) };
  const builtIn = BUILT_IN[id];
  const baseUrl =
    text(table.base_url) ??
    (id === "openai" ? (text(overrides.openai_base_url) ?? text(userConfig.openai_base_url)) : undefined) ??
    builtIn?.baseUrl ??
    "(no base_url configured)";
  return { id, name: text(table.name) ?? builtIn?.name ?? id, baseUrl, envKey: text(table.env_key) ?? builtIn?.envKey ?? null };
}

/** `provider "mock" at http://127.0.0.1:9/v1`, for messages. */
export function describeProvider(provider: ProviderInfo): string {
  return `provider "${provider.name}" at ${provider.baseUrl}`;
}

function providerTable(config: Table, id: string): Table {
  const providers = config.model_providers;
  if (typeof providers !== "object" || providers === null) return {};
  const table = (providers as Table)[id];
  return typeof table === "object" && table !== null ? (table as Table) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value : undefined;
}
