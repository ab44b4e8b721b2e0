// A recording read back for `codex-relay replay`: its header and index (protocol/recording.ts),
// the calls by number and where it stopped, if it did.
import { readFile } from "node:fs/promises";
import { RelayError } from "../errors.js";
import { RecordedCall, RecordingHeader, RecordingLine, recordingFiles, type RecordingStop } from "../protocol/recording.js";

export interface ReplaySource {
  /** The recorded request's id. */
  readonly id: string;
  readonly header: RecordingHeader;
  readonly calls: ReadonlyMap<number, RecordedCall>;
  readonly stop: RecordingStop | null;
  readonly files: ReturnType<typeof recordingFiles>;
}

/** The recording in `dir` of request `id`; throws `no_recording` when there is none to replay. */
export async function readRecording(dir: string, id: string): Promise<ReplaySource> {
  const files = recordingFiles(dir);
  const header = RecordingHeader.safeParse(await readJson(files.header));
  if (!header.success) throw new RelayError("no_recording", `request ${id} has no recording to replay (${files.header} is missing or unreadable)`);
  const calls = new Map<number, RecordedCall>();
  let stop: RecordingStop | null = null;
  const index = await readFile(files.index, "utf8").catch(() => "");
  for (const text of index.split("\n")) {
    if (!text.trim()) continue;
    const line = RecordingLine.safeParse(safeJson(text));
    if (!line.success) continue; // a line cut by a crash: the calls before it still replay
    if ("stopped" in line.data) stop = line.data;
    else calls.set(line.data.call, RecordedCall.parse(line.data));
  }
  if (calls.size === 0) {
    const why = stop ? `it stopped at call ${stop.call}, past gateway.recording_max_bytes (${stop.max_bytes})` : "it holds no finished model call";
    throw new RelayError("no_recording", `request ${id}'s recording cannot be replayed: ${why}`);
  }
  return { id, header: header.data, calls, stop, files };
}

async function readJson(file: string): Promise<unknown> {
  return safeJson(await readFile(file, "utf8").catch(() => ""));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
