/**
 * The samples of one WebDataset shard (img2dataset layout: `KEY.jpg` + `KEY.txt` + `KEY.json`, members of a
 * sample next to each other). A sample's key is the member name up to the first dot of its base name; its
 * extension the rest. A sample needs an image member (`jpg jpeg png webp`) and a caption: the `.txt` member, or
 * else the `.json` member's `captionKey`. Rewrites come from the `.json` member's `textKeys` (see `jsonTexts`).
 *
 * Counting (headers only) and streaming (reads the small members) walk the same groups, so a sample's ordinal
 * in its shard, and hence its index in the dataset, is the same in both. A shard that turns out corrupt part
 * way ends there in both: the group in progress when the walk fails is neither counted nor yielded.
 */
import { posix } from "node:path";
import { FormatError } from "../../errors/format_error.js";
import { TarReader, type TarMember } from "../../io/tar/reader.js";
import { SampleError } from "./sample_error.js";
import type { BadSamples } from "./bad_samples.js";
import { jsonTexts, type WdsTextOptions } from "./wds_texts.js";

const IMAGE_EXTS = ["jpg", "jpeg", "png", "webp"];

export interface SampleRef {
  index: number;
  key: string;
  shard: string;
  image: TarMember;
  texts: string[];
  sources: string[];
}

export interface Group {
  key: string;
  members: Map<string, TarMember>;
}

export function splitName(name: string): { key: string; ext: string } {
  const base = posix.basename(name);
  const dot = base.indexOf(".");
  if (dot < 0) return { key: name, ext: "" };
  return { key: name.slice(0, name.length - base.length + dot), ext: base.slice(dot + 1).toLowerCase() };
}

/** Members grouped by sample key, in file order (a sample's members sit next to each other). */
export async function* groups(tar: TarReader): AsyncGenerator<Group> {
  let current: Group | undefined;
  for await (const m of tar.members()) {
    const { key, ext } = splitName(m.name);
    if (current && current.key !== key) {
      yield current;
      current = undefined;
    }
    current ??= { key, members: new Map() };
    current.members.set(ext, m);
  }
  if (current) yield current;
}

const imageOf = (g: Group) => IMAGE_EXTS.map((e) => g.members.get(e)).find((m) => m !== undefined);

/** Samples with an image member in a shard, from its headers; a corrupt shard counts up to the damage. */
export async function countShard(file: string): Promise<{ count: number; error?: FormatError }> {
  const tar = await TarReader.open(file, { requireEnd: true });
  let count = 0;
  try {
    for await (const g of groups(tar)) if (imageOf(g)) count++;
    return { count };
  } catch (err) {
    if (err instanceof FormatError) return { count, error: err };
    throw err;
  } finally {
    await tar.close();
  }
}

/** Usable samples of a shard, in file order; bad ones are recorded in `bad` and left out. */
export async function* shardSamples(file: string, firstIndex: number, text: WdsTextOptions, bad: BadSamples): AsyncGenerator<SampleRef> {
  const tar = await TarReader.open(file, { requireEnd: true });
  let ordinal = 0;
  let lastKey = "(none)";
  try {
    for await (const g of groups(tar)) {
      lastKey = g.key;
      const image = imageOf(g);
      if (!image) {
        const exts = [...g.members.keys()].join(", ");
        bad.recordError(new SampleError("missing_image", file, `members ${exts} but no image (${IMAGE_EXTS.join("/")})`, { key: g.key }));
        continue;
      }
      const index = firstIndex + ordinal++;
      try {
        yield { index, key: g.key, shard: file, image, ...(await readTexts(tar, file, g, text)) };
      } catch (err) {
        if (!(err instanceof SampleError)) throw err;
        bad.recordError(err);
      }
    }
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    bad.recordError(new SampleError("bad_shard", file, `${err.message}; the rest of the shard is skipped (last good key '${lastKey}')`, {}, { cause: err }));
  } finally {
    await tar.close();
  }
}

async function readTexts(tar: TarReader, file: string, g: Group, opts: WdsTextOptions): Promise<{ texts: string[]; sources: string[] }> {
  const where = { key: g.key };
  let json: unknown;
  const jm = g.members.get("json");
  if (jm) {
    const raw = (await tar.body(jm)).toString("utf8");
    try {
      json = JSON.parse(raw);
    } catch (err) {
      throw new SampleError("bad_json", file, `member ${jm.name} is not JSON (${(err as Error).message})`, where, { cause: err });
    }
  }
  const tm = g.members.get("txt");
  let caption = tm ? (await tar.body(tm)).toString("utf8").replace(/\r?\n$/, "") : undefined;
  if (caption === undefined && json && typeof json === "object") {
    const c = (json as Record<string, unknown>)[opts.captionKey ?? "caption"];
    if (typeof c === "string") caption = c;
  }
  if (caption === undefined || caption.trim() === "") {
    throw new SampleError("missing_caption", file, tm ? `member ${tm.name} is empty` : "no .txt member and no caption in the .json", where);
  }
  const extra = jsonTexts(json, opts, file, g.key);
  return { texts: [caption, ...extra.texts], sources: ["original", ...extra.sources] };
}
