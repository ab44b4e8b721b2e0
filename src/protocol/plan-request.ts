// The front-matter keys of the two plan request kinds (PROTOCOL.md §2, §5): which plan a
// `plan-run` runs and from which step, and that a `plan` plans progress/TASK_PACKET.md. Zod-free,
// so the CLI can write these requests without loading the plan machinery.

/** `plan-run`: the plan id (its folder under progress/plans/). */
export const PLAN_KEY = "plan";
/** `plan-run`: the step to start at (default 1). */
export const FROM_KEY = "from";
/** `plan`: present when the plan is of progress/TASK_PACKET.md rather than of the request's issue. */
export const FROM_TASK_PACKET = "task_packet";
