/**
 * Parses one 512-byte tar header (ustar, with GNU base-256 sizes). Checksums are verified so a corrupt or
 * misaligned archive is caught at the header where it goes wrong rather than read as garbage.
 */

export interface TarHeader {
  name: string;
  size: number;
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** The typeflag character: "0" regular file, "x" pax attributes, "L" GNU long name, "5" directory, ... */
  type: string;
}

export type HeaderResult = TarHeader | "end" | { bad: string };

export function parseTarHeader(h: Buffer): HeaderResult {
  if (h.every((b) => b === 0)) return "end";
  const stored = parseNumber(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  if (stored === undefined || stored !== sum) return { bad: "header checksum mismatch (corrupt or not a tar file)" };
  const size = parseNumber(h, 124, 12);
  if (size === undefined) return { bad: "unreadable size field" };
  let name = cString(h, 0, 100);
  if (h.toString("latin1", 257, 262) === "ustar") {
    const prefix = cString(h, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const flag = h[156]!;
  return {
    name,
    size,
    mode: parseNumber(h, 100, 8) ?? 0o644,
    mtime: parseNumber(h, 136, 12) ?? 0,
    type: flag === 0 ? "0" : String.fromCharCode(flag),
  };
}

function cString(h: Buffer, off: number, len: number): string {
  const end = h.indexOf(0, off);
  return h.toString("utf8", off, end === -1 || end > off + len ? off + len : end);
}

/** Octal ASCII (NUL/space padded) or, with the high bit set, GNU base-256 big-endian. */
function parseNumber(h: Buffer, off: number, len: number): number | undefined {
  if (h[off]! & 0x80) {
    let v = h[off]! & 0x7f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + h[i]!;
    return v;
  }
  const text = h.toString("latin1", off, off + len).replace(/[\0 ]+$/, "").trim();
  if (text === "") return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
}

/** Pax extended header records: "LEN key=value\n" repeated. */
export function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(32, pos);
    if (space === -1) break;
    const len = parseInt(body.toString("latin1", pos, space), 10);
    if (!(len > 0)) break;
    const record = body.toString("utf8", space + 1, pos + len - 1);
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}
