// Byte-level helpers of the HTTP/1.x response parser (http1-parser.ts): scanning a head in a
// Buffer without making strings per response.

/** Carriage return. */
export const CR = 13;
/** Line feed. */
export const LF = 10;

/**
 * Where the head in `b` from `from` ends: `at` is the line ending of its last line, `after` the
 * first byte past the blank line. Lines may end in CRLF or a bare LF, as fetch accepts both.
 * A plain byte loop, not `Buffer.indexOf`: a response head is a few lines, and each native
 * call costs more than the bytes it skips (issue 16).
 */
export function findHeadEnd(b: Buffer, from: number): { at: number; after: number } | null {
  const n = b.length;
  for (let lf = from; lf < n; lf++) {
    if (b[lf] !== LF) continue;
    const next = b[lf + 1];
    const at = lf > from && b[lf - 1] === CR ? lf - 1 : lf;
    if (next === LF) return { at, after: lf + 2 };
    if (next === CR && b[lf + 2] === LF) return { at, after: lf + 3 };
  }
  return null;
}

/** The first `byte` in `b` at or after `from`, or -1: `b.indexOf(byte, from)` without the native call, for the few bytes of a head line. */
export function indexOfByte(b: Uint8Array, byte: number, from: number): number {
  const n = b.length;
  for (let i = from; i < n; i++) if (b[i] === byte) return i;
  return -1;
}

/** Whether the comma-separated, lowercase `list` holds `token` as a whole element. */
export function hasToken(list: string, token: string): boolean {
  if (list === "") return false;
  for (const element of list.split(",")) if (element.trim() === token) return true;
  return false;
}

/** The chunk as a Buffer without copying (Bun hands sockets' data over as Buffers already). */
export function asBuffer(chunk: Uint8Array): Buffer {
  return chunk instanceof Buffer ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Whether `b` holds exactly `text` (ASCII) from `from`. */
export function startsWith(b: Uint8Array, from: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (b[from + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Whether `byte` is an ASCII digit. */
export function isDigit(byte: number): boolean {
  return byte >= 48 && byte <= 57;
}

/** Whether `b[from, to)` equals `lower` ignoring ASCII case (`lower` is lowercase, same length). */
export function matchesLower(b: Uint8Array, from: number, to: number, lower: string): boolean {
  if (to - from !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const byte = b[from + i]!;
    const folded = byte >= 65 && byte <= 90 ? byte | 0x20 : byte;
    if (folded !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** A non-negative decimal in `b[from, to)` between optional blanks; NaN when it is anything else. */
export function parseDecimal(b: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to && (b[i] === 32 || b[i] === 9)) i++;
  let j = to;
  while (j > i && (b[j - 1] === 32 || b[j - 1] === 9)) j--;
  if (i === j || j - i > 15) return NaN;
  let n = 0;
  for (let k = i; k < j; k++) {
    const digit = b[k]! - 48;
    if (digit < 0 || digit > 9) return NaN;
    n = n * 10 + digit;
  }
  return n;
}
