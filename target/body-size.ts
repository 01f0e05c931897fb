// Request bodies are read to the end (so the client's write completes) and counted, never kept.

/** Reads a request's body to its end without keeping it; resolves to its size in bytes. */
export async function bodySize(req: Request): Promise<number> {
  if (req.body === null) return 0;
  let bytes = 0;
  for await (const chunk of req.body) bytes += chunk.byteLength;
  return bytes;
}
