/**
 * `workers: 0`: decoding from the calling thread. libvips still runs each image on libuv's thread pool, so with
 * a window of several images the cores stay busy; only the JavaScript pixel loops share the caller's thread.
 */
import type { DecodeJob, DecodeResult, ImageDecoder } from "./decoder.js";
import { DecodePoolError } from "./decode_pool_error.js";
import { asJobError } from "./job_error.js";
import { orderedMap } from "./ordered_map.js";
import { preprocessImage } from "./preprocess.js";
import { configureSharpForDecoding } from "./sharp_setup.js";
import { sourceName } from "./source.js";

export class InlineDecoder implements ImageDecoder {
  readonly workers = 0;
  private closed = false;
  private inFlight = new Set<Promise<unknown>>();

  constructor() {
    configureSharpForDecoding();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.then(() => this.inFlight.delete(p), () => this.inFlight.delete(p));
    return p;
  }

  private refuseIfClosed(job: DecodeJob): void {
    if (this.closed) throw new DecodePoolError(`decoder is closed; cannot decode ${sourceName(job.source)}`);
  }

  async run(job: DecodeJob): Promise<Float32Array> {
    this.refuseIfClosed(job);
    return this.track(preprocessImage(job.source, job.spec, { seed: job.seed }));
  }

  async runInto(job: DecodeJob, out: Float32Array, offset: number): Promise<void> {
    this.refuseIfClosed(job);
    await this.track(preprocessImage(job.source, job.spec, { seed: job.seed, out, offset }));
  }

  async settle(job: DecodeJob, index = 0): Promise<DecodeResult> {
    try {
      return { index, ok: true, data: await this.run(job) };
    } catch (err) {
      return { index, ok: false, error: asJobError(err, sourceName(job.source)) };
    }
  }

  imap(jobs: Iterable<DecodeJob> | AsyncIterable<DecodeJob>, window = 4): AsyncGenerator<DecodeResult> {
    return orderedMap(jobs, window, (job, i) => this.settle(job, i));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }
}
