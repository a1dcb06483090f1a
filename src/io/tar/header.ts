/**
 * One 512-byte tar header (ustar, with GNU base-256 numbers) and pax extended-header records. The checksum is
 * verified so a corrupt or misaligned archive is caught at the header where it goes wrong rather than read as
 * garbage; every size is checked to be a whole, non-negative byte count (a negative or non-numeric size is how a
 * hostile tar makes a naive reader loop forever).
 */

export interface TarHeader {
  name: string;
  size: number;
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** The typeflag character: "0" regular file, "x" pax attributes, "g" pax global, "L" GNU long name, ... */
  type: string;
}

export type HeaderResult = TarHeader | "end" | { bad: string; name?: string };

export const BLOCK = 512;

export function parseTarHeader(h: Buffer): HeaderResult {
  if (h.every((b) => b === 0)) return "end";
  const name = headerName(h);
  const stored = parseNumber(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  if (stored !== sum) return { bad: `header checksum mismatch (stored ${stored ?? "unreadable"}, computed ${sum}): a corrupt tar, or not a tar file` };
  const size = parseNumber(h, 124, 12);
  if (size === undefined) return { bad: `unreadable size field '${h.toString("latin1", 124, 136).replace(/\0/g, "")}'`, name };
  const flag = h[156]!;
  return { name, size, mode: parseNumber(h, 100, 8) ?? 0o644, mtime: parseNumber(h, 136, 12) ?? 0, type: flag === 0 ? "0" : String.fromCharCode(flag) };
}

function headerName(h: Buffer): string {
  const name = cString(h, 0, 100);
  const prefix = h.toString("latin1", 257, 262) === "ustar" ? cString(h, 345, 155) : "";
  return prefix ? `${prefix}/${name}` : name;
}

function cString(h: Buffer, off: number, len: number): string {
  const end = h.indexOf(0, off);
  return h.toString("utf8", off, end === -1 || end > off + len ? off + len : end);
}

/** Octal ASCII (NUL/space padded) or GNU base-256 big-endian (high bit set; 0xff marks a negative number). */
function parseNumber(h: Buffer, off: number, len: number): number | undefined {
  if (h[off]! & 0x80) {
    if (h[off] === 0xff) return undefined;
    let v = h[off]! & 0x7f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + h[i]!;
    return Number.isSafeInteger(v) ? v : undefined;
  }
  const text = h.toString("latin1", off, off + len).replace(/[\0 ]+$/, "").trim();
  if (text === "") return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
}

/** Pax extended header records, "LEN key=value\n" repeated; `bad` says which record is malformed. */
export function parsePax(body: Buffer): Record<string, string> | { bad: string } {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < body.length && body[pos] !== 0) {
    const space = body.indexOf(32, pos);
    const lenText = space === -1 ? "" : body.toString("latin1", pos, space);
    const len = /^\d{1,9}$/.test(lenText) ? Number(lenText) : NaN;
    if (!(len > space - pos + 1) || pos + len > body.length || body[pos + len - 1] !== 0x0a) {
      return { bad: `malformed pax record at byte ${pos} of the extended header` };
    }
    const record = body.toString("utf8", space + 1, pos + len - 1);
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  if (out.size !== undefined && !(/^\d{1,15}$/.test(out.size) && Number.isSafeInteger(Number(out.size)))) {
    return { bad: `pax size=${out.size} is not a byte count` };
  }
  return out;
}
