import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/util/sha256.js";

describe("sha256", () => {
  it("hashes text as UTF-8 and bytes as they are, in lowercase hex", () => {
    expect(sha256("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256(Buffer.from("héllo"))).toBe(sha256("héllo"));
    const bytes = Uint8Array.from([0, 255, 10, 13]);
    expect(sha256(bytes)).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("gives one digest for the parts joined as for the parts fed in turn (the setup key relies on it)", () => {
    const fed = createHash("sha256").update("npm ci").update("\0").update("100644 blob abc\tpackage-lock.json\0").digest("hex");
    expect(sha256("npm ci\u0000100644 blob abc\tpackage-lock.json\u0000")).toBe(fed);
  });
});
