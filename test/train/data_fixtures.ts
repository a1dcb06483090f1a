/** Temp dirs, small files and WebDataset shards (written with tar-stream, an independent tar writer) for tests. */
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import tar from "tar-stream";

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-train-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function put(dir: string, name: string, content: string | Buffer): Promise<string> {
  const p = join(dir, name);
  await mkdir(dirname(p), { recursive: true });
  await writeFile(p, content);
  return p;
}

/** Writes a tar of the given members, in order, with tar-stream. */
export async function writeTar(path: string, members: { name: string; data: string | Buffer }[]): Promise<string> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((res, rej) => {
    pack.on("end", () => res());
    pack.on("error", rej);
  });
  for (const m of members) pack.entry({ name: m.name }, typeof m.data === "string" ? Buffer.from(m.data) : m.data);
  pack.finalize();
  await done;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Buffer.concat(chunks));
  return path;
}

/** A fake image payload that names its sample, so tests can tell which image bytes came back. */
export const fakeJpeg = (key: string) => Buffer.from(`\xff\xd8JPEG:${key}`, "latin1");

/**
 * img2dataset-style members of one sample: KEY.jpg, KEY.txt, KEY.json. The json carries the rewrites twice: as
 * the flat `rewrite_<source>` keys `laclip rewrite` adds to shards, and as a `rewrites: {source: [...]}` object.
 */
export function sampleMembers(key: string, caption: string, rewrites?: Record<string, string[]>) {
  const out = [
    { name: `${key}.jpg`, data: fakeJpeg(key) },
    { name: `${key}.txt`, data: caption },
  ];
  if (rewrites) {
    const flat = Object.fromEntries(Object.entries(rewrites).map(([src, list]) => [`rewrite_${src}`, list[0]!]));
    out.push({ name: `${key}.json`, data: JSON.stringify({ key, caption, ...flat, rewrites }) });
  }
  return out;
}
