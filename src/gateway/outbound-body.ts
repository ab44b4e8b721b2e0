// A model call's request body as it leaves the machine: decoded, passed through the relay's
// redactor, and re-encoded as plain JSON only when something was redacted.
import type http from "node:http";
import { promisify } from "node:util";
import type zlib from "node:zlib";
import type { RedactionTally, Redactor } from "../security/redact.js";

export interface OutboundBody {
  readonly bytes: Buffer;
  /** The content-encoding of `bytes` (undefined: plain). */
  readonly encoding: string | undefined;
  /** Values redacted from this body. */
  readonly redacted: number;
  /** The same by kind (`api_key`: 1). */
  readonly kinds: Readonly<Record<string, number>>;
}

// node:zlib loaded on the first compressed body (~0.5 MB of the daemon's resident set otherwise).
const zlibModule = (): typeof zlib => process.getBuiltinModule("node:zlib");
const decoders: Record<string, (buffer: Buffer) => Promise<Buffer>> = {
  gzip: (buffer) => promisify(zlibModule().gunzip)(buffer),
  deflate: (buffer) => promisify(zlibModule().inflate)(buffer),
  br: (buffer) => promisify(zlibModule().brotliDecompress)(buffer),
};

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The body to send upstream. A JSON body is redacted value by value (counts go to `tally`); a body
 * in an encoding Node cannot decode is sent as it came (the call is still metered).
 */
export async function outboundBody(raw: Buffer, encoding: string | undefined, redactor: Redactor | null, tally: RedactionTally): Promise<OutboundBody> {
  if (!redactor || raw.length === 0) return { bytes: raw, encoding, redacted: 0, kinds: {} };
  const decode = encoding ? decoders[encoding] : async (b: Buffer) => b;
  if (!decode) return { bytes: raw, encoding, redacted: 0, kinds: {} };
  const plain = await decode(raw);
  const found: RedactionTally = new Map();
  let bytes: Buffer;
  try {
    const redacted = redactor.redactDeep(JSON.parse(plain.toString("utf8")) as unknown, found);
    // Unchanged bodies go out byte for byte (decoded); changed ones as the redacted JSON.
    bytes = found.size > 0 ? Buffer.from(JSON.stringify(redacted)) : plain;
  } catch {
    bytes = Buffer.from(redactor.redact(plain.toString("utf8"), found)); // not JSON: redacted as text
  }
  let redacted = 0;
  for (const [kind, n] of found) {
    tally.set(kind, (tally.get(kind) ?? 0) + n);
    redacted += n;
  }
  return { bytes, encoding: undefined, redacted, kinds: Object.fromEntries(found) };
}
