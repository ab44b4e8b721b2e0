import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  FAILURE_PATTERNS_FILE,
  LEDGER_FILE,
  layoutFor,
  requestIdOf,
  requestName,
  RESULT_JSON_FILE,
  resultName,
  ROUTE_DECISION_FILE,
  TASK_PACKET_FILE,
} from "../../src/protocol/layout.js";

describe("layout", () => {
  const ws = path.resolve("/work/shop");
  const layout = layoutFor(ws);

  it("names the patch workflow's files as PROTOCOL.md §5 does", () => {
    expect([TASK_PACKET_FILE, ROUTE_DECISION_FILE, LEDGER_FILE, FAILURE_PATTERNS_FILE]).toEqual([
      "progress/TASK_PACKET.md",
      "progress/ROUTE_DECISION.md",
      "progress/ledger.jsonl",
      "out/failure-patterns.jsonl",
    ]);
    expect(layout.taskPacket).toBe(path.join(ws, "progress", "TASK_PACKET.md"));
    expect(layout.routeDecision).toBe(path.join(layout.progress, "ROUTE_DECISION.md"));
    expect(layout.ledger).toBe(path.join(layout.progress, "ledger.jsonl"));
    expect(layout.failurePatterns).toBe(path.join(layout.out, "failure-patterns.jsonl"));
  });

  it("builds request and RESULT names that its own patterns read back", () => {
    const id = "20251128_143022_2";
    expect(requestName(id)).toBe("CODEX_DELEGATION_REQUEST_20251128_143022_2.md");
    expect(requestIdOf(requestName(id))).toBe(id);
    expect(RESULT_JSON_FILE.exec(resultName(id, "json"))?.[1]).toBe(id);
    expect(layout.result(id, "md")).toBe(path.join(layout.inbox, resultName(id, "md")));
    expect(layout.request(id)).toBe(path.join(ws, ".autonomous_runs", "codex_delegations", requestName(id)));
  });
});
