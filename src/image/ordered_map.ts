/**
 * Runs an async function over a (possibly endless) job stream with a bounded number in flight and yields the
 * results in input order. The stream is read only when a slot frees, so memory stays bounded by `window`.
 */
export async function* orderedMap<J, R>(
  jobs: Iterable<J> | AsyncIterable<J>,
  window: number,
  fn: (job: J, index: number) => Promise<R>,
): AsyncGenerator<R> {
  if (!(Number.isInteger(window) && window >= 1)) throw new RangeError(`window must be a positive integer, got ${window}`);
  const it = Symbol.asyncIterator in jobs ? jobs[Symbol.asyncIterator]() : (jobs as Iterable<J>)[Symbol.iterator]();
  const pending: Promise<R>[] = [];
  let index = 0;
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && pending.length < window) {
        const next = await it.next();
        if (next.done) exhausted = true;
        else pending.push(fn(next.value, index++));
      }
      const head = pending.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    // The consumer stopped early: let the source clean up; jobs in flight finish on their own (fn never rejects).
    if (!exhausted) await it.return?.();
  }
}
