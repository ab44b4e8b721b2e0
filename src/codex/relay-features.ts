// The Codex features a relay run never needs, off for every run. A relay run is an unattended
// read-only analysis or a bounded patch: the user's own Codex hooks, plugins, apps/connectors,
// browser and computer use, image generation, sub-agents, tool suggestions, goals and skills would
// only add side effects, network calls and prompt bytes. `[codex.config.features]` (and
// `[codex.config.skills]`) turns one back on.

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

/** The `[codex.config]` table a run passes to Codex: the relay's feature defaults under the user's choices. */
export function relayCodexConfig(table: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const tableAt = (key: string): Record<string, unknown> => {
    const value = table[key];
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  };
  return { ...table, features: { ...RELAY_FEATURES_OFF, ...tableAt("features") }, skills: { ...RELAY_SKILLS_OFF, ...tableAt("skills") } };
}
