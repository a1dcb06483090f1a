/**
 * Decoding on worker threads, so the thread that drives training never runs pixel loops. Each worker keeps up
 * to `perWorker` jobs in flight (one in libvips while another's pixels are normalised); jobs beyond that wait in
 * a bounded queue. A bad image fails its own job only; a worker that dies fails its jobs in flight and is
 * replaced. Idle workers do not keep the process alive, so a pool someone forgot to close cannot hang an exit.
 */
import { Worker } from "node:worker_threads";
import type { DecodeJob, DecodeResult, ImageDecoder } from "./decoder.js";
import { DecodePoolError } from "./decode_pool_error.js";
import { ImageDecodeError } from "./image_decode_error.js";
import { asJobError } from "./job_error.js";
import { orderedMap } from "./ordered_map.js";
import type { JobMessage, ReplyMessage } from "./pool_protocol.js";
import { configureSharpForDecoding } from "./sharp_setup.js";
import { sourceName } from "./source.js";

/**
 * Starts the worker module in the same form as this one: compiled .js directly; .ts (development, tests under
 * tsx) through a bootstrap that registers tsx's loader inside the thread first, since Node 20 does not carry a
 * parent's `--import tsx` into worker threads.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./pool_worker.js", import.meta.url));
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./pool_worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}

/**
 * Posting a typed array clones its whole backing buffer, so bytes that view part of a larger one (a tar member
 * inside a shard read in one piece, a pooled small Buffer) are copied out first: the member, not the shard.
 */
function compact(job: DecodeJob): DecodeJob {
  const s = job.source;
  if (!("bytes" in s) || (s.bytes.byteOffset === 0 && s.bytes.byteLength === s.bytes.buffer.byteLength)) return job;
  return { ...job, source: { ...s, bytes: s.bytes.slice() } };
}

export interface DecodePoolOptions {
  /** Worker threads, >= 1. Leave a core for the training step: on 2 cores, 1 or 2. */
  workers: number;
  /** Jobs in flight per worker (default 2). */
  perWorker?: number;
  /** Jobs `run` may queue beyond those in flight before it refuses (default 1024); `imap` never needs more. */
  maxQueue?: number;
}

interface Pending {
  msg: JobMessage;
  file: string;
  resolve(data: Float32Array | undefined): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
  served: number;
  lastError?: Error;
}

export class DecodePool implements ImageDecoder {
  readonly workers: number;
  private readonly perWorker: number;
  private readonly maxQueue: number;
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private closing = false;
  private broken: DecodePoolError | undefined;
  private drained: (() => void) | undefined;
  private closed: Promise<void> | undefined;

  constructor(options: DecodePoolOptions) {
    const { workers, perWorker = 2, maxQueue = 1024 } = options;
    for (const [k, v] of Object.entries({ workers, perWorker, maxQueue })) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`DecodePool: ${k} must be a positive integer, got ${v}`);
    }
    this.workers = workers;
    this.perWorker = perWorker;
    this.maxQueue = maxQueue;
    configureSharpForDecoding();
    for (let i = 0; i < workers; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker(), inFlight: new Map(), served: 0 };
    slot.worker.on("message", (reply: ReplyMessage) => this.onReply(slot, reply));
    slot.worker.on("error", (err) => (slot.lastError = err));
    slot.worker.on("exit", (code) => this.onExit(slot, code));
    slot.worker.unref(); // after the listeners: attaching a 'message' listener refs the worker's port again
    return slot;
  }

  private inFlightTotal(): number {
    return this.slots.reduce((n, s) => n + s.inFlight.size, 0);
  }

  private onReply(slot: Slot, reply: ReplyMessage): void {
    const p = slot.inFlight.get(reply.id);
    if (!p) return;
    slot.inFlight.delete(reply.id);
    slot.served++;
    if (slot.inFlight.size === 0) slot.worker.unref();
    if (reply.ok) p.resolve(reply.data);
    else if (reply.kind === "decode") p.reject(new ImageDecodeError(reply.file, reply.reason));
    else p.reject(new DecodePoolError(`unexpected failure while decoding ${reply.file}: ${reply.reason}`));
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    this.slots = this.slots.filter((s) => s !== slot);
    if (!this.closing || slot.inFlight.size > 0) {
      const why = `decode worker stopped (exit code ${code}${slot.lastError ? `: ${slot.lastError.message}` : ""})`;
      for (const p of slot.inFlight.values()) p.reject(new DecodePoolError(`${why} while decoding ${p.file}; the image may be fine, retry it`, { cause: slot.lastError }));
      slot.inFlight.clear();
      if (!this.closing && slot.served === 0) {
        // Died before finishing anything: most likely it cannot start at all, so respawning would loop forever.
        this.broken = new DecodePoolError(`${why} before finishing any job; the decode pool cannot run`, { cause: slot.lastError });
        for (const p of this.queue.splice(0)) p.reject(this.broken);
      } else if (!this.closing) {
        this.slots.push(this.spawn());
      }
    }
    this.dispatch();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots) if (s.inFlight.size < this.perWorker && (!best || s.inFlight.size < best.inFlight.size)) best = s;
      if (!best) break;
      const p = this.queue.shift()!;
      if (best.inFlight.size === 0) best.worker.ref(); // busy workers keep the process alive until they answer
      best.inFlight.set(p.msg.id, p);
      best.worker.postMessage(p.msg);
    }
    if (this.drained && this.queue.length === 0 && this.inFlightTotal() === 0) this.drained();
  }

  private submit(job: DecodeJob, out?: JobMessage["out"]): Promise<Float32Array | undefined> {
    const file = sourceName(job.source);
    if (this.broken) return Promise.reject(this.broken);
    if (this.closing) return Promise.reject(new DecodePoolError(`decode pool is closed; cannot decode ${file}`));
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new DecodePoolError(`decode pool queue is full (${this.maxQueue} waiting) at ${file}; use imap, which waits for room, or raise maxQueue`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ msg: { id: this.nextId++, job: compact(job), out }, file, resolve, reject });
      this.dispatch();
    });
  }

  async run(job: DecodeJob): Promise<Float32Array> {
    return (await this.submit(job))!;
  }

  async runInto(job: DecodeJob, out: Float32Array, offset: number): Promise<void> {
    if (out.buffer instanceof SharedArrayBuffer) {
      // The worker writes straight into the caller's batch: no transfer, no copy.
      await this.submit(job, { buffer: out.buffer, offset: out.byteOffset / 4 + offset });
    } else {
      out.set((await this.submit(job))!, offset);
    }
  }

  async settle(job: DecodeJob, index = 0): Promise<DecodeResult> {
    try {
      return { index, ok: true, data: await this.run(job) };
    } catch (err) {
      return { index, ok: false, error: asJobError(err, sourceName(job.source)) };
    }
  }

  imap(jobs: Iterable<DecodeJob> | AsyncIterable<DecodeJob>, window = this.workers * this.perWorker * 2): AsyncGenerator<DecodeResult> {
    return orderedMap(jobs, window, (job, i) => this.settle(job, i));
  }

  close(): Promise<void> {
    return (this.closed ??= this.shutDown());
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    for (const p of this.queue.splice(0)) p.reject(new DecodePoolError(`decode pool closed before decoding ${p.file}`));
    if (this.inFlightTotal() > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
