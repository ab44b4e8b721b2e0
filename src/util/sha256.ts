// The one content hash: sha256 of text or bytes, as lowercase hex.

// node:crypto is fetched on first use (not imported): the hook bundle and short commands that
// never hash skip loading it.
export function sha256(data: string | Uint8Array): string {
  return process.getBuiltinModule("node:crypto").createHash("sha256").update(data).digest("hex");
}
