// Event streams below are what codex 0.169.0 prints with `exec --json` (captured from the real
// binary against the scripted model server); they go through parseEventLine as in a real run.
import { describe, expect, it } from "vitest";
import { parseEventLine } from "../../src/codex/events.js";
import { classifyRun, emptyRunState, reduceEvent, type RunEnd, type RunOutcome, type RunState } from "../../src/codex/outcome.js";
import { ERROR_HINTS } from "../../src/errors.js";

const THREAD = '{"type":"thread.started","thread_id":"01a1fe33-4398-7a83-bdca-7c1ec9c2195d"}';
const TURN = '{"type":"turn.started"}';
const USAGE =
  '{"type":"turn.completed","usage":{"input_tokens":10,"cached_input_tokens":3,"cache_write_input_tokens":0,"output_tokens":5,"reasoning_output_tokens":1}}';
const message = (text: string, id = "item_1") => JSON.stringify({ type: "item.completed", item: { id, type: "agent_message", text } });
const errorEvent = (text: string) => JSON.stringify({ type: "error", message: text });
const turnFailed = (text: string) => JSON.stringify({ type: "turn.failed", error: { message: text } });
const MODEL_METADATA =
  '{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `probe-model-x` not found. Defaulting to fallback metadata; this can degrade performance and cause issues."}}';

const LIMITS = { start_timeout_s: 60, stall_timeout_s: 300, wall_timeout_s: 1800 };
const EXITED_OK: RunEnd = { exitCode: 0, signal: null, stderrTail: "Reading additional input from stdin...\n", stopReason: null, limits: LIMITS };
const EXITED_1: RunEnd = { ...EXITED_OK, exitCode: 1 };

function fold(lines: string[]): RunState {
  const state = emptyRunState();
  for (const line of lines) {
    const event = parseEventLine(line);
    if (event) reduceEvent(state, event);
  }
  return state;
}

function outcome(lines: string[], end: Partial<RunEnd> = {}): RunOutcome {
  return classifyRun(fold(lines), { ...EXITED_OK, ...end });
}

/** The error of a non-replied outcome, with its code, message and hint. */
function errorOf(result: RunOutcome) {
  expect(result.kind).not.toBe("replied");
  if (result.kind === "replied") throw new Error("unreachable");
  return result.error;
}

describe("reduceEvent", () => {
  it("collects the thread id, the last agent message and the usage of a normal run", () => {
    const state = fold([THREAD, TURN, message("first", "item_1"), message("final answer", "item_2"), USAGE]);
    expect(state.threadId).toBe("01a1fe33-4398-7a83-bdca-7c1ec9c2195d");
    expect(state.finalMessage).toBe("final answer");
    expect(state.turnCompleted).toBe(true);
    expect(state.usage).toEqual({ input_tokens: 10, cached_input_tokens: 3, output_tokens: 5, reasoning_output_tokens: 1 });
    expect(state.failures).toEqual([]);
  });

  it("ignores item.started/updated texts: only a completed agent message counts", () => {
    const state = fold([
      THREAD,
      TURN,
      '{"type":"item.started","item":{"id":"item_1","type":"agent_message","text":"partial"}}',
      '{"type":"item.updated","item":{"id":"item_1","type":"agent_message","text":"partial more"}}',
    ]);
    expect(state.finalMessage).toBeNull();
  });

  it("does not take a reasoning or command item as the final message", () => {
    const state = fold([
      THREAD,
      TURN,
      '{"type":"item.completed","item":{"id":"item_1","type":"reasoning","text":"**Thinking**"}}',
      '{"type":"item.completed","item":{"id":"item_2","type":"command_execution","command":"ls","aggregated_output":"a\\n","exit_code":0,"status":"completed"}}',
    ]);
    expect(state.finalMessage).toBeNull();
  });

  it("counts unknown events and non-JSON lines without failing", () => {
    const state = fold([THREAD, '{"type":"turn.plan_updated"}', "garbage", TURN]);
    expect(state.unknownEvents).toBe(2);
    expect(state.failures).toEqual([]);
  });

  it("does not count an error *item* (model metadata warning) as a failure", () => {
    const state = fold([THREAD, MODEL_METADATA, TURN]);
    expect(state.failures).toEqual([]);
    expect(state.finalMessage).toBeNull();
  });
});

describe("classifyRun: replied", () => {
  it("returns the final message of a completed turn", () => {
    expect(outcome([THREAD, TURN, message('{"root_cause":"x"}'), USAGE])).toEqual({ kind: "replied", message: '{"root_cause":"x"}' });
  });

  it("replies even when codex warned with an error item about unknown model metadata", () => {
    expect(outcome([THREAD, MODEL_METADATA, TURN, message("the answer"), USAGE])).toEqual({ kind: "replied", message: "the answer" });
  });

  it("replies when the process exit code is non-zero but the turn completed (events decide, not the exit code)", () => {
    expect(outcome([THREAD, TURN, message("done"), USAGE], { exitCode: 1 })).toEqual({ kind: "replied", message: "done" });
  });

  it("replies with an empty final message rather than calling it missing", () => {
    expect(outcome([THREAD, TURN, message(""), USAGE])).toEqual({ kind: "replied", message: "" });
  });

  // codex 0.169.0 prints a top-level `error` event for a stream retry, then finishes the turn
  // normally and exits 0 (seen against the scripted model server with stream_max_retries=2).
  // The user gets a failed RESULT with codex_http_error although Codex answered.
  it("replies when codex reconnected once and then completed the turn", () => {
    const result = outcome([
      THREAD,
      TURN,
      errorEvent("Reconnecting... 1/2 (stream disconnected before completion: stream closed before response.completed)"),
      message("hello there", "item_0"),
      USAGE,
    ]);
    expect(result).toEqual({ kind: "replied", message: "hello there" });
  });
});

describe("classifyRun: codex failures", () => {
  it("a completed turn without an agent message is codex_no_output", () => {
    const error = errorOf(outcome([THREAD, TURN, USAGE]));
    expect(error.code).toBe("codex_no_output");
    expect(error.message).toMatch(/without a final message/);
    expect(error.hint).toBe(ERROR_HINTS.codex_no_output);
  });

  it("401 is codex_not_authenticated, with the codex message and the login hint", () => {
    const text = "unexpected status 401 Unauthorized: nope, url: http://127.0.0.1:37081/v1/responses";
    const result = outcome([THREAD, MODEL_METADATA, TURN, errorEvent(text), turnFailed(text)], EXITED_1);
    expect(result.kind).toBe("failed");
    const error = errorOf(result);
    expect(error.code).toBe("codex_not_authenticated");
    expect(error.message).toBe(`Codex failed: ${text}`);
    expect(error.hint).toMatch(/codex login/);
  });

  it("a missing API key message is codex_not_authenticated", () => {
    const error = errorOf(outcome([THREAD, TURN, turnFailed("Missing environment variable: `OPENAI_API_KEY`. Please run `codex login`")], EXITED_1));
    expect(error.code).toBe("codex_not_authenticated");
  });

  it("429 after retries is codex_rate_limited", () => {
    const text = "exceeded retry limit, last status: 429 Too Many Requests";
    const error = errorOf(outcome([THREAD, TURN, errorEvent(text), turnFailed(text)], EXITED_1));
    expect(error.code).toBe("codex_rate_limited");
    expect(error.message).toContain("429 Too Many Requests");
    expect(error.hint).toBe(ERROR_HINTS.codex_rate_limited);
  });

  it("a quota message is codex_rate_limited", () => {
    const error = errorOf(outcome([THREAD, TURN, turnFailed("You exceeded your current quota, please check your plan and billing details.")], EXITED_1));
    expect(error.code).toBe("codex_rate_limited");
  });

  it("'unexpected status 500' is codex_http_error", () => {
    const text = "unexpected status 500 Internal Server Error: boom, url: http://127.0.0.1:8000/v1/responses";
    const error = errorOf(outcome([THREAD, TURN, errorEvent(text), turnFailed(text)], EXITED_1));
    expect(error.code).toBe("codex_http_error");
    expect(error.message).toContain("unexpected status 500");
  });

  it("codex's 5xx 'high demand' message is codex_http_error", () => {
    const text = "We’re currently experiencing high demand, which may cause temporary errors.";
    expect(errorOf(outcome([THREAD, TURN, errorEvent(text), turnFailed(text)], EXITED_1)).code).toBe("codex_http_error");
  });

  it("a sandbox failure is codex_sandbox_unavailable", () => {
    const text = "sandbox error: failed to apply Landlock restrictions: not supported by this kernel";
    const error = errorOf(outcome([THREAD, TURN, turnFailed(text)], EXITED_1));
    expect(error.code).toBe("codex_sandbox_unavailable");
    expect(error.hint).toMatch(/codex-relay doctor/);
  });

  it("any other turn failure is codex_failed and keeps the message", () => {
    const error = errorOf(outcome([THREAD, TURN, turnFailed("context window exceeded")], EXITED_1));
    expect(error.code).toBe("codex_failed");
    expect(error.message).toBe("Codex failed: context window exceeded");
  });

  it("reports the last failure when there are several", () => {
    const error = errorOf(
      outcome([THREAD, TURN, errorEvent("something odd"), turnFailed("unexpected status 401 Unauthorized: bad key")], EXITED_1),
    );
    expect(error.code).toBe("codex_not_authenticated");
    expect(error.message).toContain("bad key");
    expect(error.message).not.toContain("something odd");
  });
});

describe("classifyRun: timeouts", () => {
  const cases = [
    ["start_timeout", [], /did not start a thread within 60 s/],
    ["stall_timeout", [THREAD, TURN], /no event for 300 s/],
    ["wall_timeout", [THREAD, TURN], /longer than the 1800 s wall-clock cap/],
  ] as const;

  for (const [reason, lines, pattern] of cases) {
    it(`${reason} is timed_out with code ${reason} and the limit in the message`, () => {
      const result = outcome([...lines], { stopReason: reason, exitCode: null, signal: "SIGTERM" });
      expect(result.kind).toBe("timed_out");
      const error = errorOf(result);
      expect(error.code).toBe(reason);
      expect(error.message).toMatch(pattern);
      expect(error.message).toMatch(/process group was killed/);
      expect(error.hint).toBe(ERROR_HINTS[reason]);
    });
  }

  it("uses the configured limit, not the default", () => {
    const error = errorOf(outcome([THREAD, TURN], { stopReason: "stall_timeout", limits: { ...LIMITS, stall_timeout_s: 7 } }));
    expect(error.message).toMatch(/no event for 7 s/);
  });

  it("a timeout wins over failures codex printed while being killed", () => {
    const result = outcome([THREAD, TURN, errorEvent("stream disconnected before completion")], { stopReason: "wall_timeout", exitCode: null, signal: "SIGKILL" });
    expect(result.kind).toBe("timed_out");
  });
});

describe("classifyRun: cancel and shutdown", () => {
  it("a cancel is cancelled, not a shutdown", () => {
    const result = outcome([THREAD, TURN], { stopReason: "cancelled", exitCode: null, signal: "SIGTERM" });
    expect(result).toMatchObject({ kind: "cancelled", shutdown: false });
    const error = errorOf(result);
    expect(error.code).toBe("cancelled");
    expect(error.message).toBe("the request was cancelled");
  });

  it("a daemon shutdown is cancelled with shutdown: true and says so", () => {
    const result = outcome([THREAD, TURN], { stopReason: "shutdown", exitCode: null, signal: "SIGTERM" });
    expect(result).toMatchObject({ kind: "cancelled", shutdown: true });
    expect(errorOf(result).message).toMatch(/daemon shut down/);
  });

  it("a cancel wins even when the turn had already completed", () => {
    expect(outcome([THREAD, TURN, message("late"), USAGE], { stopReason: "cancelled" }).kind).toBe("cancelled");
  });
});

describe("classifyRun: crashes", () => {
  it("an exit before the turn finished is codex_crashed with the exit code and the stderr tail", () => {
    const stderrTail = "Reading additional input from stdin...\nError: Model provider `nope` not found\n";
    const error = errorOf(outcome([], { exitCode: 1, stderrTail }));
    expect(error.code).toBe("codex_crashed");
    expect(error.message).toMatch(/^Codex exited with code 1 before finishing its turn: /);
    expect(error.message).toContain("Error: Model provider `nope` not found");
    expect(error.hint).toBe(ERROR_HINTS.codex_crashed);
  });

  it("a kill by a signal names the signal", () => {
    const error = errorOf(outcome([THREAD, TURN], { exitCode: null, signal: "SIGSEGV", stderrTail: "" }));
    expect(error.code).toBe("codex_crashed");
    expect(error.message).toBe("Codex was killed by SIGSEGV before finishing its turn");
  });

  it("keeps only the last five non-empty stderr lines, joined on one line", () => {
    const stderrTail = ["l1", "l2", "", "l3", "l4", "l5", "l6", "l7", ""].join("\n");
    const error = errorOf(outcome([THREAD], { exitCode: 101, stderrTail }));
    expect(error.message).toContain(": l3 | l4 | l5 | l6 | l7");
    expect(error.message).not.toContain("l2");
  });

  it("classifies a crash by its stderr: an auth problem is codex_not_authenticated", () => {
    const error = errorOf(outcome([], { exitCode: 1, stderrTail: "Error: 401 Unauthorized: Missing bearer authentication in header\n" }));
    expect(error.code).toBe("codex_not_authenticated");
  });

  it("classifies a crash by its stderr: a sandbox problem is codex_sandbox_unavailable", () => {
    const error = errorOf(outcome([THREAD, TURN], { exitCode: 1, stderrTail: "Error: failed to set up seccomp filter\n" }));
    expect(error.code).toBe("codex_sandbox_unavailable");
  });

  it("exit 0 without turn.completed is still a crash (stdout cut short)", () => {
    const error = errorOf(outcome([THREAD, TURN, message("half")], { exitCode: 0, stderrTail: "" }));
    expect(error.code).toBe("codex_crashed");
    expect(error.message).toBe("Codex exited with code 0 before finishing its turn");
  });
});

describe("provider trouble", () => {
  const PROVIDER = { id: "mock", name: "mock", baseUrl: "http://127.0.0.1:9/v1", envKey: "MOCK_MODEL_KEY" };
  const RECONNECT = errorEvent("Reconnecting... waiting for network (Connection failed: error sending request)");

  it("a run stopped while reconnecting is codex_unreachable, naming the provider, its base_url and the attempts", () => {
    const error = errorOf(outcome([THREAD, TURN, RECONNECT, RECONNECT], { exitCode: null, signal: "SIGTERM", stopReason: "unreachable", limits: { ...LIMITS, unreachable_s: 60 }, provider: PROVIDER }));
    expect(error.code).toBe("codex_unreachable");
    expect(error.message).toContain('provider "mock" at http://127.0.0.1:9/v1 for 60 s (2 reconnect attempt(s)');
    expect(error.message).toContain("waiting for network");
    expect(error.hint).toBe(ERROR_HINTS.codex_unreachable);
  });

  it("a missing provider key is codex_not_authenticated, naming the variable and the provider", () => {
    const text = "Missing environment variable: `MOCK_MODEL_KEY`.";
    const error = errorOf(outcome([THREAD, TURN, errorEvent(text), turnFailed(text)], { ...EXITED_1, provider: PROVIDER }));
    expect(error.code).toBe("codex_not_authenticated");
    expect(error.message).toBe(`Codex failed: ${text} (provider "mock" at http://127.0.0.1:9/v1)`);
  });

  it("codex's 'high demand' wording of a 5xx says it is the provider's server error", () => {
    const text = "We’re currently experiencing high demand, which may cause temporary errors.";
    const error = errorOf(outcome([THREAD, TURN, errorEvent(text), turnFailed(text)], { ...EXITED_1, provider: PROVIDER }));
    expect(error.code).toBe("codex_http_error");
    expect(error.message).toContain("the provider kept answering with server errors");
    expect(error.message).toContain('provider "mock" at http://127.0.0.1:9/v1');
  });

  it("a connection failure Codex gave up on is codex_unreachable", () => {
    const text = "stream disconnected before completion: error sending request for url (http://127.0.0.1:9/v1/responses)";
    expect(errorOf(outcome([THREAD, TURN, errorEvent(text), turnFailed(text)], EXITED_1)).code).toBe("codex_unreachable");
  });
});
