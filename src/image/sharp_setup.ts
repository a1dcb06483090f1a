/**
 * Process-wide libvips settings for decoding many small images. Parallelism comes from several images in flight
 * (each sharp call runs on libuv's thread pool, whose size UV_THREADPOOL_SIZE sets, default 4), so libvips'
 * own per-image threads are set to 1: more would oversubscribe the cores that the other images and the training
 * step already use. The operation cache is off because a data stream never decodes the same file twice.
 * Both settings are global to the process (and shared by its worker threads), hence one idempotent call.
 */
import sharp from "sharp";

let configured = false;

export function configureSharpForDecoding(): void {
  if (configured) return;
  configured = true;
  sharp.concurrency(1);
  sharp.cache(false);
}
