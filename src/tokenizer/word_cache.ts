/**
 * A bounded cache from pre-token to its token ids, approximating LRU with two generations: lookups hit the young
 * Map, then the old one (promoting the entry); when the young Map is full it becomes the old one and the previous
 * old one is dropped. Memory stays under 2 x capacity entries and a hit costs one or two Map lookups, with none of
 * the delete/re-insert churn of an exact LRU on a Map.
 */
import { ConfigError } from "../errors/config_error.js";

export class WordCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new ConfigError(`the word cache size must be a positive integer, got ${capacity}`, "cacheSize");
    }
  }

  get(key: string): V | undefined {
    let v = this.young.get(key);
    if (v !== undefined) {
      this.hits++;
      return v;
    }
    v = this.old.get(key);
    if (v !== undefined) {
      this.hits++;
      this.set(key, v);
      return v;
    }
    this.misses++;
    return undefined;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
    this.hits = this.misses = 0;
  }
}
