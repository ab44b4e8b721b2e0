// The daemon's timed jobs from its config: one per `[[schedule]]` entry (a request dropped into the
// inbox through the same publish path as `delegate`, so it is redacted and validated the same
// way) and the daily digest when `[digest]` is enabled.
import { cronClock } from "../config/cron-time.js";
import type { Config } from "../config/schema.js";
import type { RelayContext } from "../context/relay-context.js";
import { publishRequest } from "../protocol/publish-request.js";
import { renderRequest } from "../protocol/render-request.js";
import type { TimedJob } from "./scheduler.js";

type ScheduleEntry = Config["schedule"][number];

export function timedJobs(ctx: RelayContext): TimedJob[] {
  const jobs = ctx.config.schedule.map((entry) => scheduleJob(ctx, entry));
  if (ctx.config.digest.enabled) jobs.push(digestJob(ctx));
  return jobs;
}

function scheduleJob(ctx: RelayContext, entry: ScheduleEntry): TimedJob {
  return {
    key: `schedule ${entry.name}`,
    clock: cronClock(entry.cron, entry.time_zone),
    run: async (at) => {
      const markdown = renderRequest({
        kind: entry.kind,
        issue: entry.issue,
        files: [...entry.files],
        context: entry.context,
        requestedBy: `schedule ${entry.name}`,
        createdAt: at,
      });
      const id = await publishRequest(ctx.layout, markdown, at, ctx.redactor);
      ctx.logger.log("info", "schedule fired", { id, schedule: entry.name, kind: entry.kind });
    },
  };
}

function digestJob(ctx: RelayContext): TimedJob {
  const [hours, minutes] = ctx.config.digest.at.split(":").map(Number);
  const clock = cronClock(`0 ${minutes} ${hours} * * *`, ctx.config.digest.time_zone);
  return {
    key: "digest",
    clock,
    run: async (at, since) => {
      const { writeDigest } = await import("./digest.js"); // loaded once a day, not by the idle daemon
      // Named for the day the period ends in: a digest at 00:00 is the day before's.
      const day = clock.dayOf(new Date(at.getTime() - 1));
      const file = await writeDigest(ctx, { day, from: since ?? new Date(at.getTime() - 86_400_000), to: at });
      ctx.logger.log("info", "digest written", { file });
    },
  };
}
