/**
 * The JSONL that `laclip rewrite` writes, one `{id, original, rewrites: {source: [text, ...]}}` per line, as a
 * training set, read by row with positioned reads (blank lines are not rows).
 *
 * Texts: `original`, then each source's rewrites in `sources` order (default: the key order of the record's
 * `rewrites` object, which the rewrite job writes in its fixed source order). A record that lacks a listed
 * source, or whose JSON does not parse, is a bad sample.
 *
 * Image of a record, first rule that applies (paths relative to `imageRoot`; absolute ones used as they are):
 * 1. the record's `imageField` (default `image`) when it holds a string;
 * 2. `imageTemplate` with `{id}` replaced by the id (e.g. `images/{id}.jpg`);
 * 3. the id itself when it ends with an image extension (an id that is a relative image path);
 * 4. the id followed by each of `.jpg .jpeg .png .webp`, the first file that exists.
 */
import { open, type FileHandle } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { buildRecordIndex, readRecord, type RecordIndex } from "./record_index.js";
import { checkImageFile, type IndexedSource } from "./indexed_source.js";
import { SampleError } from "./sample_error.js";
import type { Sample } from "./types.js";

export const PROBE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp"];

export interface JsonlSourceOptions {
  jsonl: string;
  imageRoot: string;
  imageTemplate?: string;
  imageField?: string;
  /** Rewrite sources to use, in this order; default: each record's own key order. */
  sources?: string[];
  stride?: number;
  /** Check that the image exists when a row is read. Default true (rule 4 always probes). */
  checkImages?: boolean;
  /** Blocking positioned reads of the rows (see `readRecord`). Default true. */
  syncReads?: boolean;
}

const isBlank = (rec: Buffer) => rec.every((b) => b === 0x20 || b === 0x09 || b === 0x0d);

export class JsonlSource implements IndexedSource {
  private constructor(
    readonly file: string,
    private readonly index: RecordIndex,
    private readonly fh: FileHandle,
    private readonly options: JsonlSourceOptions,
  ) {}

  static async open(options: JsonlSourceOptions): Promise<JsonlSource> {
    const index = await buildRecordIndex(options.jsonl, { splitter: "lines", stride: options.stride ?? 8, keep: (r) => !isBlank(r) });
    return new JsonlSource(options.jsonl, index, await open(options.jsonl, "r"), options);
  }

  get size(): number {
    return this.index.count;
  }

  async read(index: number): Promise<Sample> {
    const raw = (await readRecord(this.index, this.fh, index, this.options.syncReads ?? true)).toString("utf8");
    let rec: unknown;
    try {
      rec = JSON.parse(raw);
    } catch (err) {
      throw new SampleError("bad_json", this.file, `not JSON (${(err as Error).message})`, { row: index }, { cause: err });
    }
    if (typeof rec !== "object" || rec === null) throw new SampleError("bad_json", this.file, "not a JSON object", { row: index });
    const r = rec as Record<string, unknown>;
    const id = typeof r.id === "string" || typeof r.id === "number" ? String(r.id) : undefined;
    if (id === undefined) throw new SampleError("bad_json", this.file, "no string 'id'", { row: index });
    const where = { row: index, key: id };
    if (typeof r.original !== "string" || r.original.trim() === "") {
      throw new SampleError("missing_caption", this.file, "no non-empty 'original'", where);
    }
    const texts = [r.original];
    const sources = ["original"];
    const rewrites = (r.rewrites ?? {}) as Record<string, unknown>;
    if (typeof rewrites !== "object" || Array.isArray(rewrites)) throw new SampleError("bad_json", this.file, "'rewrites' is not an object", where);
    for (const src of this.options.sources ?? Object.keys(rewrites)) {
      const list = rewrites[src];
      if (!Array.isArray(list) || !list.every((t) => typeof t === "string")) {
        throw new SampleError("bad_json", this.file, `rewrites of source '${src}' missing or not a list of strings`, where);
      }
      for (const t of list as string[]) {
        texts.push(t);
        sources.push(src);
      }
    }
    const path = await this.imagePath(r, id, where);
    return { index, key: id, image: { kind: "path", path }, texts, sources, file: this.file };
  }

  private async imagePath(r: Record<string, unknown>, id: string, where: { row: number; key: string }): Promise<string> {
    const o = this.options;
    const field = r[o.imageField ?? "image"];
    const rel = typeof field === "string" ? field : o.imageTemplate ? o.imageTemplate.replaceAll("{id}", id) : undefined;
    const resolve = (p: string) => (isAbsolute(p) ? p : join(o.imageRoot, p));
    const direct = rel ?? (PROBE_EXTENSIONS.some((e) => id.toLowerCase().endsWith(e)) ? id : undefined);
    if (direct !== undefined) {
      if (o.checkImages ?? true) await checkImageFile(resolve(direct), this.file, where);
      return resolve(direct);
    }
    for (const ext of PROBE_EXTENSIONS) {
      const p = resolve(id + ext);
      try {
        await checkImageFile(p, this.file, where);
        return p;
      } catch (err) {
        if (!(err instanceof SampleError && err.reason === "missing_image")) throw err;
      }
    }
    throw new SampleError("missing_image", this.file, `no ${id}{${PROBE_EXTENSIONS.join(",")}} under ${o.imageRoot}`, where);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
