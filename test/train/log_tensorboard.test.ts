import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { TensorBoardWriter } from "../../src/train/log/tensorboard.js";
import { crc32c, maskedCrc32c } from "../../src/train/log/crc32c.js";
import { tempDir } from "./data_fixtures.js";

// ---- an independent decoder: bitwise CRC-32C, TFRecord framing, generic protobuf ----

function crcBitwise(bytes: Uint8Array): number {
  let c = ~0 >>> 0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82f63b78 & -(c & 1));
  }
  return ~c >>> 0;
}
const mask = (c: number) => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;

function readRecords(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const lenBytes = buf.subarray(at, at + 8);
    const len = Number(lenBytes.readBigUInt64LE());
    assert.equal(buf.readUInt32LE(at + 8), mask(crcBitwise(lenBytes)), `length CRC of the record at ${at}`);
    const data = buf.subarray(at + 12, at + 12 + len);
    assert.equal(buf.readUInt32LE(at + 12 + len), mask(crcBitwise(data)), `data CRC of the record at ${at}`);
    out.push(data);
    at += 16 + len;
  }
  assert.equal(at, buf.length);
  return out;
}

type Field = { field: number; wire: number; value: number | bigint | Buffer };
function decodeMessage(b: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let v = 0n, shift = 0n;
    for (;;) {
      const byte = b[i++]!;
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
      shift += 7n;
    }
  };
  while (i < b.length) {
    const k = Number(varint());
    const field = k >> 3, wire = k & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) { out.push({ field, wire, value: b.readDoubleLE(i) }); i += 8; }
    else if (wire === 5) { out.push({ field, wire, value: b.readFloatLE(i) }); i += 4; }
    else if (wire === 2) { const n = Number(varint()); out.push({ field, wire, value: b.subarray(i, i + n) }); i += n; }
    else throw new Error(`wire type ${wire}`);
  }
  return out;
}
const one = (fs: Field[], field: number) => fs.filter((f) => f.field === field);

function decodeEvent(data: Buffer) {
  const f = decodeMessage(data);
  const wall = one(f, 1)[0]!;
  assert.equal(wall.wire, 1);
  const step = one(f, 2)[0];
  const ev: { wallTime: number; step?: bigint; fileVersion?: string; scalars?: Record<string, number>; sessionStatus?: bigint } = { wallTime: wall.value as number };
  if (step) ev.step = step.value as bigint;
  const fv = one(f, 3)[0];
  if (fv) ev.fileVersion = (fv.value as Buffer).toString("utf8");
  const summary = one(f, 5)[0];
  if (summary) {
    ev.scalars = {};
    for (const v of one(decodeMessage(summary.value as Buffer), 1)) {
      const vf = decodeMessage(v.value as Buffer);
      const tag = (one(vf, 1)[0]!.value as Buffer).toString("utf8");
      const sv = one(vf, 2)[0]!;
      assert.equal(sv.wire, 5, "simple_value is a 32-bit float");
      ev.scalars[tag] = sv.value as number;
    }
  }
  const sl = one(f, 7)[0];
  if (sl) ev.sessionStatus = one(decodeMessage(sl.value as Buffer), 1)[0]!.value as bigint;
  return ev;
}

// ---- tests ----

test("CRC-32C matches the standard check value and a bitwise implementation", () => {
  assert.equal(crc32c(Buffer.from("123456789")), 0xe3069283);
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff));
  assert.equal(crc32c(data), crcBitwise(data));
  assert.equal(maskedCrc32c(data), mask(crcBitwise(data)));
});

test("event file decodes: version, purge marker, scalars at their steps, valid CRCs", async (t) => {
  const dir = await tempDir(t);
  let clock = 1_700_000_000.25;
  const w = new TensorBoardWriter(join(dir, "tb"), { purgeStep: 120, now: () => clock });
  clock += 1;
  w.scalars(120, { loss: 3.25, lr: 1e-3, logit_scale: 14.285714 });
  clock += 1;
  w.scalar("loss", 2.5, 2 ** 40); // a step past 32 bits round-trips
  w.close();
  const files = readdirSync(join(dir, "tb"));
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^events\.out\.tfevents\.1700000000\.[^.]+.*\.\d+\.\d+$/);
  const events = readRecords(readFileSync(w.path)).map(decodeEvent);
  assert.equal(events.length, 4);
  assert.deepEqual(events[0], { wallTime: 1_700_000_000.25, fileVersion: "brain.Event:2" });
  assert.deepEqual(events[1], { wallTime: 1_700_000_000.25, step: 120n, sessionStatus: 1n });
  assert.equal(events[2]!.step, 120n);
  assert.equal(events[2]!.wallTime, 1_700_000_001.25);
  assert.deepEqual(events[2]!.scalars, { loss: 3.25, lr: Math.fround(1e-3), logit_scale: Math.fround(14.285714) });
  assert.equal(events[3]!.step, 2n ** 40n);
  assert.deepEqual(events[3]!.scalars, { loss: 2.5 });
});

test("the decoder's CRC check does catch a flipped byte", async (t) => {
  const dir = await tempDir(t);
  const w = new TensorBoardWriter(dir);
  w.scalar("loss", 1, 1);
  w.close();
  const bytes = readFileSync(w.path);
  bytes[bytes.length - 6] ^= 0x01;
  assert.throws(() => readRecords(bytes), /data CRC/);
});
