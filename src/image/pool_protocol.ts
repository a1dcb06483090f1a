/** Messages between DecodePool and its workers (structured clone; result buffers are transferred, not copied). */
import type { DecodeJob } from "./decoder.js";

export interface JobMessage {
  id: number;
  job: DecodeJob;
  /** Write into this shared batch at `offset` instead of returning a new array. */
  out?: { buffer: SharedArrayBuffer; offset: number };
}

export type ReplyMessage =
  | { id: number; ok: true; data?: Float32Array }
  | { id: number; ok: false; kind: "decode" | "other"; file: string; reason: string };
