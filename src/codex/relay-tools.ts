// The model tools a relay run does not offer. Codex 0.171 offers every `codex exec` turn a shell
// (exec_command, write_stdin), apply_patch, request_user_input, view_image and web_search. An
// unattended read-only analysis or a bounded patch needs the shell to read files and run checks and
// apply_patch to edit; the rest it does not: request_user_input asks a user who is not there (Codex
// answers it with an error outside Plan mode), web_search reaches beyond the repository and makes a
// run unreplayable, and view_image sends local images to the model past the text redactor. Each is
// turned off through Codex's own config key; setting that key in `[codex.config]` turns it back on.

/** `[codex.config]` keys, as a table, that take the tools a relay run does not need off the model's list. */
export const RELAY_TOOLS_OFF: Readonly<Record<string, unknown>> = Object.freeze({
  web_search: "disabled", // "cached" (Codex's default for exec) or "live" brings it back
  tools: { experimental_request_user_input: { enabled: false } },
  features: { view_image: false },
});
