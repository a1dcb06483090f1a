/**
 * Groups tar members into WebDataset samples the way webdataset does: the key is the path up to the first dot of
 * the file name (`000000012.jpg` -> `000000012`), the rest is the extension, and a sample is a run of consecutive
 * members with one key. When the tar breaks, the sample being read is dropped (its members may be incomplete),
 * unless the break is in the body of a member that already belongs to the next key; the counter and the reader
 * share this rule, so indices agree whichever of them saw the tar.
 */
import type { TarMember, TarReader } from "../../io/tar/reader.js";

export interface WdsSample {
  key: string;
  /** Members by lower-cased extension ("txt", "json", "jpg", ...). */
  members: Map<string, TarMember>;
  headerOffset: number;
}

/** Splits a member name into sample key and extension; undefined for names without a dot (not part of a sample). */
export function splitKey(name: string): { key: string; ext: string } | undefined {
  const slash = name.lastIndexOf("/");
  const dot = name.indexOf(".", slash + 1);
  if (dot <= slash + 1) return undefined;
  return { key: name.slice(0, dot), ext: name.slice(dot + 1).toLowerCase() };
}

export async function* wdsSamples(walker: TarReader): AsyncGenerator<WdsSample> {
  let current: WdsSample | undefined;
  try {
    for await (const m of walker.members()) {
      const split = splitKey(m.name);
      if (!split) continue;
      if (current && (current.key !== split.key || current.members.has(split.ext))) {
        yield current;
        current = undefined;
      }
      current ??= { key: split.key, members: new Map(), headerOffset: m.headerOffset };
      current.members.set(split.ext, m);
    }
  } catch (err) {
    const next = walker.brokenMember === undefined ? undefined : splitKey(walker.brokenMember);
    if (current && next && next.key !== current.key) yield current;
    throw err;
  }
  if (current) yield current;
}

/** Number of samples in a tar, reading headers only; a broken tar counts its samples before the break. */
export async function countSamples(walker: TarReader): Promise<number> {
  let n = 0;
  try {
    for await (const _ of wdsSamples(walker)) n++;
  } catch {
    // the reader reports the break; here only the count of samples before it matters
  }
  return n;
}
