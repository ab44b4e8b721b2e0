// The patch workflow's triggers (PROTOCOL.md §5): progress/TASK_PACKET.md appearing or changing
// asks for a diagnosis (a plan, when it says `plan: true`); progress/ROUTE_DECISION.md granting codex-rw with an approver asks for a
// patch. Each becomes an ordinary request in the inbox, so claims, queue and RESULT apply. The
// content hash each trigger last acted on is kept under `.relay/`, so a restart neither repeats
// nor misses one; an edit must stay unchanged for `settle_ms` before it counts.
import { EventEmitter } from "node:events";
import { mkdir, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { toRelayError, type RelayError } from "../errors.js";
import { ROUTE_DECISION_FILE, TASK_PACKET_FILE } from "../protocol/layout.js";
import { FROM_TASK_PACKET } from "../protocol/plan-request.js";
import { publishApprovedPatch } from "../protocol/approval-request.js";
import { publishRequest } from "../protocol/publish-request.js";
import { renderRequest } from "../protocol/render-request.js";
import type { RequestKind } from "../protocol/request-text.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { readIfExists } from "../util/read-if-exists.js";
import { sha256 } from "../util/sha256.js";
import type { RelayContext } from "../context/relay-context.js";
import { DirWatcher } from "./dir-watcher.js";

type State = { task_packet?: string; route_decision?: string };

export interface ProgressWatcherEvents {
  request: [{ id: string; kind: RequestKind; trigger: string }];
  error: [RelayError];
}

export class ProgressWatcher extends EventEmitter<ProgressWatcherEvents> {
  readonly #ctx: RelayContext;
  #watcher: DirWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> = Promise.resolve();

  constructor(ctx: RelayContext) {
    super();
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    const { layout } = this.#ctx;
    await mkdir(layout.progress, { recursive: true });
    const watched = new Set([path.basename(layout.taskPacket), path.basename(layout.routeDecision)]);
    const watcher = new DirWatcher(layout.progress, (name) => watched.has(name));
    watcher.on("file", (_name, how) => how !== "unlink" && this.#schedule());
    watcher.on("error", (error) => this.emit("error", toRelayError(error)));
    await watcher.start();
    this.#watcher = watcher;
    await this.check();
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#watcher?.close();
    await this.#checking;
  }

  /** Act on whatever changed since the last check (also called by the daemon's sweep). */
  check(): Promise<void> {
    this.#checking = this.#checking.then(() => this.#check()).catch((error: unknown) => void this.emit("error", toRelayError(error)));
    return this.#checking;
  }

  // Editors write in place: wait until the files have been quiet for settle_ms.
  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.check(), this.#ctx.config.daemon.settle_ms);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    const { layout, config } = this.#ctx;
    await this.#watcher?.refresh(); // progress/ removed and made again (a `git clean`, say): watch the new one
    const stateFile = path.join(layout.relay, "progress-state.json");
    const saved = await readIfExists(stateFile);
    const state = JSON.parse(saved ?? "{}") as State;
    const next: State = { ...state };
    // The first daemon on a workspace that already went through the loop (a report newer than the
    // file exists) takes the files as handled instead of running them again.
    const handled = async (file: string, report: RegExp) => saved === null && (await mtimeOf(file)) < (await newestMtime(layout.out, report));
    const packetFile = layout.taskPacket;
    const packet = await readIfExists(packetFile);
    if (packet !== null && sha256(packet) !== state.task_packet) {
      next.task_packet = sha256(packet);
      if (config.patch.auto_diagnose && !(await handled(packetFile, /^codex-diagnosis-/))) {
        // `plan: true`: too big for one patch, so it is planned in steps instead of diagnosed.
        const { parseTaskPacket } = await import("../protocol/task-packet.js");
        if (parseTaskPacket(packet).plan) {
          await this.#publish("plan", `Plan the task in ${TASK_PACKET_FILE}.`, `${TASK_PACKET_FILE} changed (plan: true)`, { [FROM_TASK_PACKET]: TASK_PACKET_FILE });
        } else {
          await this.#publish("diagnose", `Diagnose the task in ${TASK_PACKET_FILE}.`, `${TASK_PACKET_FILE} changed`);
        }
      }
    }
    const routeFile = layout.routeDecision;
    const route = await readIfExists(routeFile);
    if (route !== null && sha256(route) !== state.route_decision) {
      next.route_decision = sha256(route);
      // The parser loads only when there is something to parse: most daemons never see one.
      const { parseRouteDecision } = await import("../protocol/route-decision.js");
      const decision = parseRouteDecision(route);
      if (config.patch.auto_patch && decision.permission === "codex-rw" && decision.approvedBy && !(await handled(routeFile, /^codex-patch-/))) {
        await this.#publish("patch", `Apply the diagnosed fix for ${TASK_PACKET_FILE} (approved by ${decision.approvedBy}).`, `${ROUTE_DECISION_FILE} grants codex-rw`);
      }
    }
    // Recorded after publishing: a crash in between repeats a trigger once rather than losing it.
    if (next.task_packet !== state.task_packet || next.route_decision !== state.route_decision) {
      await writeFileAtomic(stateFile, JSON.stringify(next), layout.tmp);
    }
  }

  async #publish(kind: RequestKind, issue: string, trigger: string, extra?: Record<string, string>): Promise<void> {
    const now = this.#ctx.now();
    const markdown = renderRequest({ kind, issue, requestedBy: `codex-relay daemon (${trigger})`, createdAt: now, extra });
    if (kind !== "patch") {
      this.emit("request", { id: await publishRequest(this.#ctx.layout, markdown, now, this.#ctx.redactor), kind, trigger });
      return;
    }
    // One approval, one patch run: `codex-relay patch` may already have queued this approval's run.
    const { id, joined } = await publishApprovedPatch(this.#ctx.layout, markdown, now, this.#ctx.redactor);
    if (joined) this.#ctx.logger.log("info", "patch already queued for this approval", { id, trigger });
    else this.emit("request", { id, kind, trigger });
  }
}

async function mtimeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => null))?.mtimeMs ?? 0;
}

/** The newest mtime of the files in `dir` whose names match, or -1 when there are none. */
async function newestMtime(dir: string, name: RegExp): Promise<number> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => name.test(n));
  let newest = -1;
  for (const n of names) newest = Math.max(newest, await mtimeOf(path.join(dir, n)));
  return newest;
}
