/**
 * Writes a copy of a WebDataset tar with extra keys in each sample's `.json` member (one is added where a sample
 * has none). Members are copied byte for byte in order; samples follow the reader's rule (wds_samples.ts), so
 * the copy holds exactly the samples the job numbered, and a broken tar's copy ends where the break was. Only
 * one sample is held in memory; the tar is streamed out with backpressure.
 */
import { pack, type Header } from "tar-stream";
import { FormatError } from "../../errors/format_error.js";
import type { AtomicFile } from "./atomic_file.js";
import { TarReader } from "../../io/tar/reader.js";
import { wdsSamples } from "./wds_samples.js";

/** Keys to merge into a sample's .json, or to make it from. */
export type SampleExtras = (key: string) => Promise<Record<string, string>>;

export async function rewriteTar(input: string, out: AtomicFile, extras: SampleExtras): Promise<{ samples: number; badJson: number }> {
  const walker = await TarReader.open(input);
  const p = pack();
  let failed: ((err: unknown) => void) | undefined;
  const consumerFailed = new Promise<never>((_, reject) => (failed = reject));
  consumerFailed.catch(() => undefined);
  const consumer = (async () => {
    for await (const chunk of p) await out.write(chunk as Buffer);
  })().catch((err: unknown) => {
    failed!(err);
    throw err;
  });
  const add = (header: Partial<Header> & Pick<Header, "name">, body: Buffer) =>
    Promise.race([new Promise<void>((resolve, reject) => p.entry(header, body, (err) => (err ? reject(err) : resolve()))), consumerFailed]);
  let samples = 0;
  let badJson = 0;
  try {
    try {
      for await (const sample of wdsSamples(walker)) {
        const extra = await extras(sample.key);
        for (const [ext, m] of sample.members) {
          let body = await walker.body(m);
          if (ext === "json") {
            const merged = mergeJson(body, extra);
            if (!merged.parsed) badJson++;
            body = merged.body;
          }
          await add({ name: m.name, size: body.length, mode: m.mode, mtime: new Date(m.mtime * 1000) }, body);
        }
        if (!sample.members.has("json")) {
          const body = Buffer.from(JSON.stringify(extra));
          await add({ name: `${sample.key}.json`, size: body.length, mode: 0o644, mtime: new Date(0) }, body);
        }
        samples++;
      }
    } catch (err) {
      // a broken input tar: the job already reported it; the copy ends at the same sample the reader did
      if (!(err instanceof FormatError)) throw err;
    }
    p.finalize();
    await consumer;
  } catch (err) {
    p.destroy(err as Error);
    throw err;
  } finally {
    await walker.close();
  }
  return { samples, badJson };
}

/** Adds the keys to a JSON object; a member that is not a JSON object is replaced by one holding just the keys. */
function mergeJson(body: Buffer, extra: Record<string, string>): { body: Buffer; parsed: boolean } {
  let obj: Record<string, unknown> | undefined;
  try {
    const v = JSON.parse(body.toString("utf8")) as unknown;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) obj = v as Record<string, unknown>;
  } catch {
    obj = undefined;
  }
  const merged: Record<string, unknown> = { ...(obj ?? {}) };
  for (const [k, v] of Object.entries(extra)) {
    // the original caption goes in only where the metadata has none of its own
    if (k !== "caption" || typeof merged.caption !== "string") merged[k] = v;
  }
  return { body: Buffer.from(JSON.stringify(merged)), parsed: obj !== undefined };
}
