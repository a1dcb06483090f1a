/**
 * Writes a safetensors file atomically. Tensors are laid out by element size, largest first, then by name,
 * and the header is padded with spaces to a multiple of 8 bytes, as the reference writer does: with the data
 * region starting 8-aligned, every tensor then starts at a multiple of its element size. The header JSON is
 * assembled key by key because a JS object would move integer-like names ("0", "1") to the front.
 */
import { FormatError } from "../../errors/index.js";
import { DTYPE_SIZE, numel, type HostTensor } from "../host_tensor.js";
import { writeAll, writeFileAtomic } from "../file/atomic_write.js";
import { DTYPE_TO_SAFETENSORS } from "./dtypes.js";

export interface WriteSafetensorsOptions {
  /** String pairs stored as `__metadata__`. */
  metadata?: Readonly<Record<string, string>>;
}

export async function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, HostTensor> | Readonly<Record<string, HostTensor>>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  const list: [string, HostTensor][] =
    tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Readonly<Record<string, HostTensor>>);
  for (const [key, t] of list) validate(path, key, t);
  list.sort(([ka, a], [kb, b]) => DTYPE_SIZE[b.dtype] - DTYPE_SIZE[a.dtype] || (ka < kb ? -1 : ka > kb ? 1 : 0));

  const parts: string[] = [];
  if (options.metadata !== undefined) parts.push(`"__metadata__":${metadataJson(path, options.metadata)}`);
  let offset = 0;
  for (const [key, t] of list) {
    const end = offset + t.data.byteLength;
    const entry = { dtype: DTYPE_TO_SAFETENSORS[t.dtype], shape: t.shape, data_offsets: [offset, end] };
    parts.push(`${JSON.stringify(key)}:${JSON.stringify(entry)}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const head = new Uint8Array(8 + padded).fill(0x20);
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);

  await writeFileAtomic(path, async (handle) => {
    let pos = await writeAll(handle, head, 0);
    for (const [, t] of list) pos = await writeAll(handle, t.data, pos);
  });
}

function validate(path: string, key: string, t: HostTensor): void {
  const fail = (why: string): never => {
    throw new FormatError(`cannot write: ${why}`, { file: path, key });
  };
  if (key === "" || key === "__metadata__") fail("tensor names must be non-empty and not '__metadata__'");
  if (!(t.dtype in DTYPE_SIZE)) fail(`unknown dtype '${String(t.dtype)}'`);
  if (!t.shape.every((s) => Number.isSafeInteger(s) && s >= 0)) fail(`shape [${t.shape.join(", ")}] is not non-negative integers`);
  const expected = numel(t.shape) * DTYPE_SIZE[t.dtype];
  if (t.data.byteLength !== expected) {
    fail(`data has ${t.data.byteLength} bytes but shape [${t.shape.join(", ")}] of ${t.dtype} needs ${expected}`);
  }
}

function metadataJson(path: string, metadata: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new FormatError(`cannot write: metadata '${k}' is not a string`, { file: path, key: "__metadata__" });
    parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  }
  return `{${parts.join(",")}}`;
}
