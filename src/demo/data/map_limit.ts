/**
 * Runs `fn` over `items` with at most `limit` calls in flight and returns the results in item order. Rendering
 * thousands of icons this way keeps libuv's thread pool busy without queueing thousands of sharp pipelines
 * (and their buffers) at once.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`mapLimit needs a positive integer limit, got ${limit}`);
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
