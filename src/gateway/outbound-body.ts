// A model call's request body as it leaves the machine: decoded, passed through the relay's
// redactor, and re-encoded as plain JSON only when something was redacted.
import type http from "node:http";
import { promisify } from "node:util";
import zlib from "node:zlib";
import type { RedactionTally, Redactor } from "../security/redact.js";

export interface OutboundBody {
  readonly bytes: Buffer;
  /** The content-encoding of `bytes` (undefined: plain). */
  readonly encoding: string | undefined;
}

const decoders: Record<string, (buffer: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
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
  if (!redactor || raw.length === 0) return { bytes: raw, encoding };
  const decode = encoding ? decoders[encoding] : async (b: Buffer) => b;
  if (!decode) return { bytes: raw, encoding };
  const plain = await decode(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain.toString("utf8"));
  } catch {
    return { bytes: Buffer.from(redactor.redact(plain.toString("utf8"), tally)), encoding: undefined }; // not JSON: redacted as text
  }
  const found: RedactionTally = new Map();
  const redacted = redactor.redactDeep(parsed, found);
  for (const [kind, n] of found) tally.set(kind, (tally.get(kind) ?? 0) + n);
  // Unchanged bodies go out byte for byte (decoded); changed ones as the redacted JSON.
  return { bytes: found.size > 0 ? Buffer.from(JSON.stringify(redacted)) : plain, encoding: undefined };
}
