/**
 * Builds zip archives for tests: stored or deflated entries, optional 64-byte data alignment through the
 * local extra field (as torch.save does), optional zip64 records, optional trailing comment.
 */
import { deflateRawSync } from "node:zlib";
import { crc32 } from "../../../src/io/zip/crc32.js";

export interface ZipInput {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
}

export interface ZipOptions {
  /** Pad each local header's extra field so entry data starts at a multiple of 64. */
  align64?: boolean;
  /** Write every size and offset through zip64 fields (central values saturated to 0xFFFFFFFF). */
  zip64?: boolean;
  comment?: string;
}

export function buildZip(inputs: readonly ZipInput[], options: ZipOptions = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let pos = 0;
  for (const input of inputs) {
    const name = new TextEncoder().encode(input.name);
    const packed = input.deflate ? new Uint8Array(deflateRawSync(input.data)) : input.data;
    const method = input.deflate ? 8 : 0;
    let extraLen = 0;
    if (options.align64) extraLen = (64 - ((pos + 30 + name.length + 4) % 64)) % 64 + 4;
    const local = new Uint8Array(30 + name.length + extraLen);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc32(input.data), true);
    lv.setUint32(18, packed.length, true);
    lv.setUint32(22, input.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, extraLen, true);
    local.set(name, 30);
    if (extraLen > 0) {
      lv.setUint16(30 + name.length, 0x4246, true); // an arbitrary private id: pure padding
      lv.setUint16(32 + name.length, extraLen - 4, true);
    }
    const z64 = options.zip64 ?? false;
    const cextra = z64 ? 4 + 24 : 0;
    const cd = new Uint8Array(46 + name.length + cextra);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 45, true);
    cv.setUint16(6, 45, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc32(input.data), true);
    cv.setUint32(20, z64 ? 0xffffffff : packed.length, true);
    cv.setUint32(24, z64 ? 0xffffffff : input.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, cextra, true);
    cv.setUint32(42, z64 ? 0xffffffff : pos, true);
    cd.set(name, 46);
    if (z64) {
      const at = 46 + name.length;
      cv.setUint16(at, 0x0001, true);
      cv.setUint16(at + 2, 24, true);
      cv.setBigUint64(at + 4, BigInt(input.data.length), true);
      cv.setBigUint64(at + 12, BigInt(packed.length), true);
      cv.setBigUint64(at + 20, BigInt(pos), true);
    }
    chunks.push(local, packed);
    central.push(cd);
    pos += local.length + packed.length;
  }
  const cdOffset = pos;
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  chunks.push(...central);
  pos += cdSize;
  if (options.zip64) {
    const rec = new Uint8Array(56);
    const rv = new DataView(rec.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(4, 44n, true);
    rv.setBigUint64(24, BigInt(inputs.length), true);
    rv.setBigUint64(32, BigInt(inputs.length), true);
    rv.setBigUint64(40, BigInt(cdSize), true);
    rv.setBigUint64(48, BigInt(cdOffset), true);
    const loc = new Uint8Array(20);
    const locv = new DataView(loc.buffer);
    locv.setUint32(0, 0x07064b50, true);
    locv.setBigUint64(8, BigInt(pos), true);
    locv.setUint32(16, 1, true);
    chunks.push(rec, loc);
  }
  const comment = new TextEncoder().encode(options.comment ?? "");
  const end = new Uint8Array(22 + comment.length);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, options.zip64 ? 0xffff : inputs.length, true);
  ev.setUint16(10, options.zip64 ? 0xffff : inputs.length, true);
  ev.setUint32(12, options.zip64 ? 0xffffffff : cdSize, true);
  ev.setUint32(16, options.zip64 ? 0xffffffff : cdOffset, true);
  ev.setUint16(20, comment.length, true);
  end.set(comment, 22);
  chunks.push(end);
  return Buffer.concat(chunks);
}
