/**
 * `laclip bench loader`: image decode + augmentation throughput (images/s), the image half of the training
 * loader, from the calling thread (`workers: 0`) and from a decode pool.
 *
 * What is measured: for each of --n in-memory JPEGs (synthetic: smooth colour fields plus per-pixel noise, sides
 * drawn uniformly in [300, 600], quality 90, so they decode like small web photos), decode, RandomResizedCrop
 * (scale 0.5-1, ratio 3/4-4/3, bicubic) to --size, and normalise to (3, size, size) float32, delivered in order
 * through `imap` with --window images in flight. images/s = n / wall time. `main_thread_busy` is the main event
 * loop's utilisation over the run: the share of the training thread's time that decoding takes away.
 * Not measured: making the JPEGs, pool start-up (reported apart as startup_s), reading files, tokenising,
 * batching. libvips runs each image on libuv's thread pool (UV_THREADPOOL_SIZE, default 4) in both modes.
 */
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { ConfigError } from "../../../errors/config_error.js";
import {
  augmentSeed, configureSharpForDecoding, createDecoder, trainTransform,
  type DecodeJob, type ImageDecoder, type Resampler,
} from "../../../image/index.js";
import { deriveSeed, Rng } from "../../../util/rng.js";

export const summary = "image decode + RandomResizedCrop + normalise throughput (images/s), main thread and decode pool";

const USAGE = "usage: laclip bench loader [--json] [--size 224] [--n 512] [--workers N] [--window W] [--resampler libvips|pillow] [--seed 1]";

async function syntheticJpegs(n: number, seed: number): Promise<{ bytes: Buffer[]; pixels: number }> {
  const rng = new Rng(deriveSeed(seed, "loader-bench-images"));
  const bytes: Buffer[] = [];
  let pixels = 0;
  for (let i = 0; i < n; i++) {
    const w = 300 + rng.int(301), h = 300 + rng.int(301);
    const fx = rng.uniform(0.01, 0.08), fy = rng.uniform(0.01, 0.08), phase = rng.uniform(0, 6.28);
    const raw = new Uint8Array(w * h * 3);
    let s = rng.nextU32() | 1;
    for (let y = 0, p = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const base = 128 + 70 * Math.sin(x * fx + phase) * Math.cos(y * fy);
        for (let c = 0; c < 3; c++, p++) {
          s ^= s << 13; s ^= s >>> 17; s ^= s << 5; // xorshift noise: texture, so the JPEG has real entropy
          const v = base + 40 * c - 40 + ((s & 63) - 32);
          raw[p] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
    bytes.push(await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
    pixels += w * h;
  }
  return { bytes, pixels };
}

async function measure(decoder: ImageDecoder, jobs: DecodeJob[], window: number): Promise<{ wall: number; busy: number; failed: number }> {
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  let failed = 0;
  for await (const r of decoder.imap(jobs, window)) if (!r.ok) failed++;
  const wall = (performance.now() - t0) / 1000;
  const busy = performance.eventLoopUtilization(elu0).utilization;
  return { wall, busy, failed };
}

function positiveInt(v: string | undefined, key: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${key} must be an integer >= ${min}, got '${v}'`, key);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: "boolean", default: true },
        size: { type: "string", default: "224" },
        n: { type: "string", default: "512" },
        workers: { type: "string", default: String(availableParallelism()) },
        window: { type: "string" },
        resampler: { type: "string", default: "libvips" },
        seed: { type: "string", default: "1" },
      },
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}; ${USAGE}`, "argv", { cause: err });
  }
  const size = positiveInt(values.size, "size");
  const n = positiveInt(values.n, "n");
  const workers = positiveInt(values.workers, "workers");
  const seed = positiveInt(values.seed, "seed", 0);
  const resampler = values.resampler as Resampler;
  const spec = trainTransform({ size, normalize: "imagenet", resampler }); // validates --resampler
  configureSharpForDecoding();

  const t0 = performance.now();
  const { bytes, pixels } = await syntheticJpegs(n, seed);
  const common = {
    bench: "loader", transform: "train", size, n, resampler,
    mean_input_px: Math.round(pixels / n), mean_jpeg_kb: +(bytes.reduce((a, b) => a + b.length, 0) / n / 1024).toFixed(1),
    uv_threadpool_size: Number(process.env.UV_THREADPOOL_SIZE ?? 4), cores: availableParallelism(),
  };
  console.error(`made ${n} JPEGs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const jobs = bytes.map((b, i): DecodeJob => ({ source: { bytes: b, name: `synthetic-${i}.jpg` }, spec, seed: augmentSeed(seed, 0, i) }));

  for (const w of [0, workers]) {
    const s0 = performance.now();
    const decoder = createDecoder({ workers: w });
    // Warm up: starts the workers and loads libvips' JPEG code, off the clock.
    for await (const _ of decoder.imap(jobs.slice(0, Math.max(2 * w, 2)))) void _;
    const startup = (performance.now() - s0) / 1000;
    const window = values.window !== undefined ? positiveInt(values.window, "window") : Math.max(4, 4 * w);
    const { wall, busy, failed } = await measure(decoder, jobs, window);
    await decoder.close();
    console.log(JSON.stringify({
      ...common, mode: w === 0 ? "main-thread" : "pool", workers: w, window,
      images_per_s: +(n / wall).toFixed(1), wall_s: +wall.toFixed(3), main_thread_busy: +busy.toFixed(3),
      startup_s: +startup.toFixed(3), failed,
    }));
  }
  return 0;
}
