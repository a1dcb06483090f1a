/**
 * Short content hashes that name the demo's cached steps (rewrites, tokenizer, training runs): a folder named
 * by the hash of everything its contents depend on is reused only when all of it is the same.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** 12 hex digits of the SHA-256 of `value`'s canonical JSON. */
export function fingerprint(value: unknown): string {
  return createHash("sha256").update(canonical(value)).digest("hex").slice(0, 12);
}

/** A file's content hash; files over 64 MiB (a GGUF model) by size and modification time instead. */
export async function fileFingerprint(path: string): Promise<string> {
  const info = await stat(path);
  if (info.size > 64 * 2 ** 20) return `size:${info.size}:mtime:${Math.floor(info.mtimeMs)}`;
  return createHash("sha256").update(await readFile(path)).digest("hex").slice(0, 32);
}
