// The RESULT json's schema id (PROTOCOL.md §4), apart from its zod schema so that clients (`show`,
// `wait`, `status`) can check it without loading zod: this module imports nothing.

/** Bumped when a RESULT field is renamed or changes meaning. */
export const RESULT_SCHEMA_ID = "codex-relay/result@1";
