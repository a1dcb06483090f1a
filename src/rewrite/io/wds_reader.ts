/**
 * WebDataset input (img2dataset shards): captions from each sample's `.txt` member (or another extension), the
 * sample key as id, samples numbered across the sorted tars. A shard of the job reads only the tars it owns and
 * counts past the others (see TarSizes), so its indices equal those of an unsharded run.
 */
import { FormatError } from "../../errors/format_error.js";
import type { CaptionSource, InputEvent } from "./input_item.js";
import { decodeUtf8 } from "./line_reader.js";
import { TarReader } from "../../io/tar/reader.js";
import { TarSizes } from "./wds_sizes.js";
import { wdsSamples } from "./wds_samples.js";

export interface WdsOptions {
  /** Member extension holding the caption; default "txt". */
  captionExt?: string;
  /** Whether this shard reads tar t (by position in the sorted list); default: all. */
  owns?: (tar: number) => boolean;
}

export function wdsSource(tars: string[], options: WdsOptions = {}): CaptionSource {
  const ext = (options.captionExt ?? "txt").toLowerCase();
  const owns = options.owns ?? (() => true);
  let tarsDone = 0;
  let current: TarReader | undefined;
  return {
    files: tars,
    fraction: () => (tars.length === 0 ? 1 : (tarsDone + (current ? current.position / Math.max(1, current.size) : 0)) / tars.length),
    async *[Symbol.asyncIterator](): AsyncGenerator<InputEvent> {
      const sizes = new TarSizes();
      let lastOwned = -1;
      for (let t = 0; t < tars.length; t++) if (owns(t)) lastOwned = t;
      let index = 0;
      for (let t = 0; t <= lastOwned; t++) {
        const path = tars[t]!;
        if (!owns(t)) {
          index += await sizes.count(path);
          tarsDone = t + 1;
          continue;
        }
        const walker = await TarReader.open(path);
        current = walker;
        const first = index;
        try {
          for await (const sample of wdsSamples(walker)) {
            const where = { file: path, offset: sample.headerOffset, key: sample.key };
            const member = sample.members.get(ext);
            const caption = member ? decodeUtf8(await walker.body(member)) : "";
            const record = { index: index++, id: sample.key, caption: caption ?? "" };
            if (caption === undefined) yield { record, where, tar: t, problem: new FormatError(`.${ext} member is not valid UTF-8`, where) };
            else yield { record, where, tar: t };
          }
        } catch (err) {
          if (!(err instanceof FormatError)) throw err;
          yield { loss: err, tar: t };
        } finally {
          current = undefined;
          await walker.close();
        }
        await sizes.check(path, index - first);
        tarsDone = t + 1;
      }
    },
  };
}
