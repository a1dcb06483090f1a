/**
 * A seeded shuffle buffer for streams that cannot be permuted as a whole (WebDataset shards): it holds `size`
 * items and emits a random one each time a new item arrives, then the rest in random order at the end. The
 * output depends only on the input order and the generator's seed.
 */
import type { Rng } from "../../util/rng.js";

export async function* shuffleBuffer<T>(source: AsyncIterable<T>, size: number, rng: Rng): AsyncGenerator<T> {
  if (size <= 1) {
    yield* source;
    return;
  }
  const buf: T[] = [];
  for await (const item of source) {
    if (buf.length < size) {
      buf.push(item);
      continue;
    }
    const j = rng.int(size);
    const out = buf[j]!;
    buf[j] = item;
    yield out;
  }
  rng.shuffle(buf);
  yield* buf;
}
