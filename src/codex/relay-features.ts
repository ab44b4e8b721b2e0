// The Codex features a relay run never needs, off for every run. A relay run is an unattended
// read-only analysis or a bounded patch: the user's own Codex hooks, plugins, apps/connectors,
// browser and computer use, image generation, sub-agents, tool suggestions, goals and skills would
// only add side effects, network calls and prompt bytes. `[codex.config.features]` (and
// `[codex.config.skills]`) turns one back on. The model tools it does not need: relay-tools.ts.

import { RELAY_TOOLS_OFF } from "./relay-tools.js";

export const RELAY_FEATURES_OFF: Readonly<Record<string, boolean>> = Object.freeze({
  hooks: false, // .codex/hooks.json in the repository, or the user's, would run commands on every turn
  plugins: false,
  remote_plugin: false,
  plugin_sharing: false,
  apps: false,
  browser_use: false,
  browser_use_external: false,
  browser_use_full_cdp_access: false,
  in_app_browser: false,
  computer_use: false,
  image_generation: false,
  multi_agent: false,
  tool_suggest: false,
  skill_mcp_dependency_install: false,
  daemon_auto_start: false,
  shell_snapshot: false,
  goals: false, // goal tools (create/get/update_goal) for a run that lives one turn
});

// Codex's skills: the list of them (its bundled imagegen, openai-docs, skill-creator… and the
// user's) is about 4.7 KB at the head of every model request of a run that uses none.
// `[codex.config.skills]` turns it back on.
const RELAY_SKILLS_OFF: Readonly<Record<string, unknown>> = Object.freeze({ include_instructions: false, bundled: { enabled: false } });

/** The `[codex.config]` table a run passes to Codex: the relay's feature and tool defaults under the user's choices. */
export function relayCodexConfig(table: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const defaults = mergeTables({ features: RELAY_FEATURES_OFF, skills: RELAY_SKILLS_OFF }, RELAY_TOOLS_OFF);
  return mergeTables(defaults, table);
}

// Leaf by leaf, as Codex applies `-c` keys: a key the user sets wins, a key the user leaves alone
// keeps the relay's default even when its table is shared (`features`, `tools`).
function mergeTables(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = out[key];
    out[key] = isTable(below) && isTable(value) ? mergeTables(below, value) : value;
  }
  return out;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
