import { describe, expect, test } from "vitest";
import { RelayError } from "../../src/errors.js";
import { requestIdOf } from "../../src/protocol/layout.js";
import { formatRequestId, requestIdTime } from "../../src/protocol/request-id.js";

describe("formatRequestId", () => {
  test("is YYYYMMDD_HHMMSS in UTC, milliseconds dropped", () => {
    expect(formatRequestId(new Date("2025-11-28T14:30:22.999Z"))).toBe("20251128_143022");
  });

  test("uses UTC across day, month and year boundaries whatever the offset the date was written in", () => {
    expect(formatRequestId(new Date("2025-12-31T23:59:59.999Z"))).toBe("20251231_235959");
    expect(formatRequestId(new Date("2026-01-01T00:00:00.000Z"))).toBe("20260101_000000");
    expect(formatRequestId(new Date("2025-03-01T00:30:00+05:00"))).toBe("20250228_193000");
    expect(formatRequestId(new Date("2024-02-29T23:00:00-02:00"))).toBe("20240301_010000");
  });

  test("appends _<n> when n > 0, and the result is a request file id", () => {
    const now = new Date("2025-11-28T14:30:22Z");
    expect(formatRequestId(now, 0)).toBe("20251128_143022");
    expect(formatRequestId(now, 2)).toBe("20251128_143022_2");
    expect(requestIdOf(`CODEX_DELEGATION_REQUEST_${formatRequestId(now, 12)}.md`)).toBe("20251128_143022_12");
  });

  test("refuses a bad suffix or an invalid date", () => {
    expect(() => formatRequestId(new Date("2025-11-28T14:30:22Z"), -1)).toThrow(RelayError);
    expect(() => formatRequestId(new Date("2025-11-28T14:30:22Z"), 1.5)).toThrow(/whole number/);
    expect(() => formatRequestId(new Date(Number.NaN))).toThrow(/cannot make a request id/);
  });
});

describe("requestIdTime", () => {
  test("gives back the UTC second of an id, with or without a suffix", () => {
    expect(requestIdTime("20251128_143022")?.toISOString()).toBe("2025-11-28T14:30:22.000Z");
    expect(requestIdTime("20251128_143022_3")?.toISOString()).toBe("2025-11-28T14:30:22.000Z");
    expect(requestIdTime("00500101_000000")?.toISOString()).toBe("0050-01-01T00:00:00.000Z");
  });

  test("round-trips with formatRequestId", () => {
    const now = new Date("2024-02-29T23:59:59Z");
    expect(requestIdTime(formatRequestId(now, 1))?.getTime()).toBe(now.getTime());
  });

  test("is undefined for malformed ids and impossible dates", () => {
    for (const id of ["", "2025-11-28", "20251128143022", "20251128_14302", "20251128_143022_", "x20251128_143022"]) {
      expect(requestIdTime(id)).toBeUndefined();
    }
    for (const id of ["20250229_120000", "20251301_000000", "20251100_000000", "20251128_240000", "20251128_236000", "20251128_235960"]) {
      expect(requestIdTime(id)).toBeUndefined();
    }
    expect(requestIdTime("20240229_120000")?.toISOString()).toBe("2024-02-29T12:00:00.000Z");
  });
});
