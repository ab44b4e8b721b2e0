// What a Codex reconnect event says, without zod: the daemon checks parsed events with it
// (events.ts), and a waiting client matches lines of a request's event log with it, cheaply.

/** Codex's "Reconnecting... waiting for network (…)" / "Reconnecting... 2/5 (…)" error messages. */
export function isReconnectMessage(message: string): boolean {
  return /^Reconnecting\b/i.test(message);
}

/** The log event of each reconnect attempt (daemon log, console); a waiting client says it its own way. */
export const RECONNECT_LOG_EVENT = "provider unreachable, reconnecting";
