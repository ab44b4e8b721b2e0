// Publish a new request atomically under a fresh id: redact it, write it under the relay's tmp
// folder, then hard-link it into the inbox, which fails instead of overwriting when that id is taken.
// Every writer of requests (delegate and its siblings, the hooks, the transcript watcher, the
// daemon's own triggers) comes through here, so no request reaches the disk, the audit branch or
// Codex with a secret in it, whoever wrote it.
import { randomBytes } from "node:crypto";
import { link, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Redactor } from "../security/redact.js";
import { errnoCode } from "../util/not-found.js";
import type { Layout } from "./layout.js";
import { formatRequestId } from "./request-id.js";

export async function publishRequest(layout: Layout, markdown: string, now: Date, redactor: Redactor): Promise<string> {
  await mkdir(layout.tmp, { recursive: true });
  await mkdir(layout.inbox, { recursive: true });
  const tmp = path.join(layout.tmp, `request.${process.pid}.${randomBytes(4).toString("hex")}.md`);
  await writeFile(tmp, redactor.redact(markdown));
  try {
    for (let n = 0; ; n += 1) {
      const id = formatRequestId(now, n);
      try {
        await link(tmp, layout.request(id));
        return id;
      } catch (error) {
        if (errnoCode(error) !== "EEXIST") throw error;
      }
    }
  } finally {
    await rm(tmp, { force: true });
  }
}
