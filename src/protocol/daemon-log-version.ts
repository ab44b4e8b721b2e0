// The daemon log's version (PROTOCOL.md §9), apart from its schema so the logger stamps each line
// without building the zod schemas in every daemon: only tools and tests that check lines do.

/** Bumped when an event is renamed or a field changes meaning; new events and fields keep it. */
export const DAEMON_LOG_VERSION = 1;
