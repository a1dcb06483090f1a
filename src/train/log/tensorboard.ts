/**
 * A TensorBoard event-file writer in plain TypeScript: scalars only, which is all training logs.
 *
 * File: `events.out.tfevents.<unix seconds>.<host>.<pid>.<n>` in the log folder, a sequence of TFRecords
 * (u64 length, masked CRC-32C of the length, the bytes, masked CRC-32C of the bytes, little-endian), each an
 * `Event` message (tensorflow/core/util/event.proto): wall_time = 1 (double), step = 2 (int64), and one of
 * file_version = 3 (string; the first event says "brain.Event:2"), summary = 5, session_log = 7. A scalar is
 * `Summary { value = 1: Value { tag = 1, simple_value = 2 (float) } }`.
 *
 * Resuming: `purgeStep` P writes `SessionLog { status = START }` at step P first, which makes TensorBoard drop
 * the events of earlier files at steps >= P (those a killed run wrote after its last checkpoint), as
 * PyTorch's `SummaryWriter(purge_step=P)` does.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { maskedCrc32c } from "./crc32c.js";
import { fieldBytes, fieldDouble, fieldFloat, fieldVarint } from "../../io/protobuf.js";

let filesOpened = 0;

export function tfRecord(data: Buffer): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(data.length));
  const head = Buffer.alloc(4);
  head.writeUInt32LE(maskedCrc32c(len));
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(maskedCrc32c(data));
  return Buffer.concat([len, head, data, tail]);
}

function event(wallTime: number, step: number | undefined, what: Buffer): Buffer {
  return Buffer.concat([fieldDouble(1, wallTime), step === undefined ? Buffer.alloc(0) : fieldVarint(2, step), what]);
}

export class TensorBoardWriter {
  readonly path: string;
  private fd: number | undefined;

  constructor(dir: string, options: { purgeStep?: number; now?: () => number } = {}) {
    this.now = options.now ?? (() => Date.now() / 1000);
    mkdirSync(dir, { recursive: true });
    const t = this.now();
    this.path = join(dir, `events.out.tfevents.${String(Math.floor(t)).padStart(10, "0")}.${hostname()}.${process.pid}.${filesOpened++}`);
    this.fd = openSync(this.path, "a");
    this.write(event(t, undefined, fieldBytes(3, "brain.Event:2")));
    if (options.purgeStep !== undefined) this.write(event(t, options.purgeStep, fieldBytes(7, fieldVarint(1, 1))));
  }

  private readonly now: () => number;

  /** Logs scalars `{tag: value}` at `step`, as one event. */
  scalars(step: number, values: Record<string, number>): void {
    const items = Object.entries(values).map(([tag, v]) => fieldBytes(1, Buffer.concat([fieldBytes(1, tag), fieldFloat(2, v)])));
    this.write(event(this.now(), step, fieldBytes(5, Buffer.concat(items))));
  }

  scalar(tag: string, value: number, step: number): void {
    this.scalars(step, { [tag]: value });
  }

  flush(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private write(data: Buffer): void {
    if (this.fd === undefined) throw new Error(`TensorBoard file ${this.path} is closed`);
    writeSync(this.fd, tfRecord(data));
  }
}
