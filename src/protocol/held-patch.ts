// The words a delegate-policy approval ends its RESULT `approval.detail` with when `[patch]
// auto_patch = false` kept the relay from queueing the patch: written by patch/delegate-approval.ts,
// found by status (observe/result-summary.ts). Zod-free, like the rest of what status loads.

export const PATCH_NOT_QUEUED = "no patch queued ([patch] auto_patch = false): `codex-relay patch` runs it";
