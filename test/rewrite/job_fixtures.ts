/**
 * Test fixtures for the rewrite job: temp dirs, real WebDataset tars written with tar-stream, and a small
 * deterministic Rewriter (a real class implementing the contract, no mocks) whose rewrites can be mapped back to
 * their caption, so a test can prove line i of an output is the rewrite of input caption i.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { TestContext } from "node:test";
import { pack } from "tar-stream";
import type { CaptionSource, InputEvent } from "../../src/rewrite/io/input_item.js";
import type { CaptionRecord, Rewriter, RewriteOutcome } from "../../src/rewrite/types.js";
import { deriveSeed } from "../../src/util/rng.js";

export async function tempDir(t: TestContext, prefix = "laclip-job-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function collect(source: CaptionSource): Promise<InputEvent[]> {
  const out: InputEvent[] = [];
  for await (const ev of source) out.push(ev);
  return out;
}

export interface TarEntry {
  name: string;
  body: string | Buffer;
}

export async function writeTar(path: string, entries: TarEntry[]): Promise<void> {
  const p = pack();
  const done = pipeline(p, createWriteStream(path));
  for (const e of entries) p.entry({ name: e.name, mtime: new Date(0) }, e.body);
  p.finalize();
  await done;
}

/** img2dataset-style samples: KEY.jpg (random-ish bytes), KEY.txt (the caption), KEY.json (metadata). */
export function samples(shard: number, captions: string[]): TarEntry[] {
  return captions.flatMap((caption, i) => {
    const key = `${String(shard).padStart(5, "0")}${String(i).padStart(4, "0")}`;
    const jpg = Buffer.alloc(700 + ((i * 97) % 900), (i * 31) & 0xff);
    const json = JSON.stringify({ key, url: `http://example.com/${key}.jpg`, caption, status: "success" });
    return [
      { name: `${key}.jpg`, body: jpg },
      { name: `${key}.txt`, body: caption },
      { name: `${key}.json`, body: json },
    ];
  });
}

/** The fake rewrite: reversible, so `unfake` recovers the caption a line was made from. */
export function fake(source: string, k: number, caption: string): string {
  return `${source}#${k}: ${[...caption].reverse().join("")}`;
}

export function unfake(line: string): { source: string; k: number; caption: string } {
  const m = /^([^#]+)#(\d+): (.*)$/s.exec(line);
  if (!m) throw new Error(`not a fake rewrite: ${line}`);
  return { source: m[1]!, k: Number(m[2]), caption: [...m[3]!].reverse().join("") };
}

export interface FakeOptions {
  sources?: string[];
  perSource?: number;
  /** Upper bound of a per-caption delay (ms), derived from the index, so completions come out of order. */
  maxDelayMs?: number;
  /** Throw when asked to rewrite this index. */
  failAt?: number;
}

export class FakeRewriter implements Rewriter {
  readonly sources: readonly string[];
  readonly perSource: number;
  calls: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  closed = false;

  constructor(private readonly options: FakeOptions = {}) {
    this.sources = options.sources ?? ["alpha", "beta"];
    this.perSource = options.perSource ?? 1;
  }

  async rewrite(item: CaptionRecord): Promise<RewriteOutcome> {
    this.calls.push(item.index);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const delay = this.options.maxDelayMs ? deriveSeed(7, item.index) % (this.options.maxDelayMs + 1) : 0;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (item.index === this.options.failAt) throw new Error(`engine exploded on caption ${item.index}`);
      const rewrites: Record<string, string[]> = {};
      for (const s of this.sources) rewrites[s] = Array.from({ length: this.perSource }, (_, k) => fake(s, k, item.caption));
      const rejects = item.index % 5 === 0 ? { too_short: 1 } : {};
      return { index: item.index, id: item.id, original: item.caption, rewrites, fallbacks: item.index % 7 === 0 ? 1 : 0, rejects, tokens: 10 };
    } finally {
      this.inFlight--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A job config for tests: quiet, no progress output. */
export function jobConfig(input: string, outputDir: string, extra: Partial<import("../../src/rewrite/job/config.js").JobConfig> = {}) {
  return {
    input: { paths: [input] },
    outputDir,
    shard: { index: 0, count: 1 },
    concurrency: 8,
    onError: "stop" as const,
    settings: { engine: "fake", seed: 1 },
    progress: "none" as const,
    log: () => undefined,
    ...extra,
  };
}

/** Reads every output file of a run dir (text files, rewrites.jsonl) for comparisons. */
export async function outputs(dir: string, names: string[]): Promise<Record<string, string>> {
  const { readFile } = await import("node:fs/promises");
  const out: Record<string, string> = {};
  for (const n of names) out[n] = await readFile(join(dir, n), "utf8");
  return out;
}

/** The environment without the variables that pick a shard, so a CLI run is unsharded unless a test says so. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX", "LACLIP_SHARD_COUNT"]) delete env[k];
  return { ...env, ...extra };
}
