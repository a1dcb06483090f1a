/** Where an evaluation sample's image bytes are: its own file, or a member of a tar shard read on demand. */
import { open } from "node:fs/promises";
import type { ImageSource } from "../image/index.js";
import type { EvalSample } from "./types.js";

/** The sample's name in messages: the file, or `shard:member`. */
export const sampleName = (s: EvalSample): string => s.member?.name ?? s.path;

export async function sampleSource(s: EvalSample): Promise<ImageSource> {
  if (s.member === undefined) return { path: s.path };
  const fh = await open(s.path, "r");
  try {
    const bytes = new Uint8Array(s.member.size);
    const { bytesRead } = await fh.read(bytes, 0, s.member.size, s.member.offset);
    if (bytesRead !== s.member.size) throw new Error(`short read of ${s.member.name}: ${bytesRead} of ${s.member.size} bytes`);
    return { bytes, name: s.member.name };
  } finally {
    await fh.close();
  }
}
