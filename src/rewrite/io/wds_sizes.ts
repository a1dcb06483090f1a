/**
 * Sample counts of tars a shard does not read but must count past to number its own samples. open_clip's
 * `sizes.json` beside the tars ({"00000.tar": 9950, ...}) is used when it has the tar; otherwise the tar's headers
 * are walked (bodies skipped). The shard that does read a tar checks the count against sizes.json, since a wrong
 * entry would shift every later shard's numbering.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";
import { countSamples } from "./wds_samples.js";
import { TarReader } from "../../io/tar/reader.js";

export class TarSizes {
  private readonly dirs = new Map<string, Promise<Record<string, number> | undefined>>();

  private listed(tar: string): Promise<number | undefined> {
    const dir = dirname(tar);
    let sizes = this.dirs.get(dir);
    if (!sizes) {
      sizes = readFile(join(dir, "sizes.json"), "utf8").then(
        (text) => JSON.parse(text) as Record<string, number>,
        () => undefined,
      );
      this.dirs.set(dir, sizes);
    }
    return sizes.then((s) => {
      const n = s?.[basename(tar)];
      return typeof n === "number" ? n : undefined;
    });
  }

  async count(tar: string): Promise<number> {
    const listed = await this.listed(tar);
    if (listed !== undefined) return listed;
    const walker = await TarReader.open(tar);
    try {
      return await countSamples(walker);
    } finally {
      await walker.close();
    }
  }

  /** Fails when sizes.json lists the tar with another count than the samples actually read from it. */
  async check(tar: string, actual: number): Promise<void> {
    const listed = await this.listed(tar);
    if (listed !== undefined && listed !== actual) {
      throw new ConfigError(
        `${join(dirname(tar), "sizes.json")} lists ${listed} samples for ${basename(tar)} but it holds ${actual}; ` +
          "fix or delete sizes.json (shards number their samples with it) and start the run over",
        "--input",
      );
    }
  }
}
