/**
 * Parses and validates a safetensors header: an 8-byte little-endian length N, then N bytes of JSON mapping
 * each tensor name to {dtype, shape, data_offsets}, plus an optional `__metadata__` string map. Offsets count
 * from the first byte after the header; the tensors must tile that data region exactly, in any key order,
 * with no gap and no overlap, as the reference implementation requires.
 */
import { FormatError } from "../../errors/index.js";
import { DTYPE_SIZE, numel, type DType } from "../host_tensor.js";
import { SAFETENSORS_TO_DTYPE } from "./dtypes.js";

export interface SafetensorsEntry {
  dtype: DType;
  shape: number[];
  /** Byte range [begin, end) relative to `dataStart`. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Entries in file (data offset) order. */
  entries: Map<string, SafetensorsEntry>;
  /** `__metadata__`, a null-prototype object so that any key (even `__proto__`) is plain data. */
  metadata: Record<string, string> | undefined;
  /** Absolute file position of the data region: 8 + N. */
  dataStart: number;
}

/** The reference implementation refuses headers above 100 MB; so does this reader, before allocating. */
export const MAX_HEADER_BYTES = 100_000_000;

export function headerLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8) throw new FormatError(`has ${fileSize} bytes, fewer than the 8-byte header length`, { file });
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new FormatError(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit; not a safetensors file?`, { file, offset: 0 });
  }
  if (8n + n > BigInt(fileSize)) {
    throw new FormatError(`header length ${n} runs past the end of the ${fileSize}-byte file; the file is truncated`, { file, offset: 0 });
  }
  return Number(n);
}

export function parseHeader(json: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  const dataStart = 8 + json.byteLength;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
  } catch (err) {
    throw new FormatError(`header is not valid UTF-8 JSON (${(err as Error).message})`, { file, offset: 8 }, { cause: err });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new FormatError("header JSON is not an object", { file, offset: 8 });
  }
  let metadata: Record<string, string> | undefined;
  const unordered: [string, SafetensorsEntry][] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === "__metadata__") metadata = parseMetadata(value, file);
    else unordered.push([key, parseEntry(key, value, file)]);
  }
  unordered.sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  let cursor = 0;
  for (const [key, e] of unordered) {
    if (e.begin !== cursor) {
      const what = e.begin < cursor ? "overlaps the previous tensor" : `leaves a gap after byte ${cursor}`;
      throw new FormatError(`data_offsets [${e.begin}, ${e.end}] ${what}`, { file, key });
    }
    cursor = e.end;
  }
  if (dataStart + cursor !== fileSize) {
    const what = dataStart + cursor > fileSize ? "run past the end of the file (truncated?)" : "leave trailing bytes";
    throw new FormatError(`tensor data ends at byte ${dataStart + cursor} but the file has ${fileSize}: offsets ${what}`, { file });
  }
  return { entries: new Map(unordered), metadata, dataStart };
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FormatError("__metadata__ is not an object of strings", { file, key: "__metadata__" });
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") throw new FormatError(`__metadata__ value '${k}' is not a string`, { file, key: "__metadata__" });
    out[k] = v;
  }
  return out;
}

function parseEntry(key: string, value: unknown, file: string): SafetensorsEntry {
  const fail = (why: string): never => {
    throw new FormatError(why, { file, key });
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("entry is not an object");
  const { dtype: name, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof name !== "string") fail("dtype is missing or not a string");
  const dtype = SAFETENSORS_TO_DTYPE.get(name as string);
  if (dtype === undefined) {
    fail(`dtype '${String(name)}' is not supported (supported: ${[...SAFETENSORS_TO_DTYPE.keys()].join(", ")})`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) fail("shape is not a list of non-negative integers");
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail("data_offsets is not a pair of non-negative integers");
  }
  const [begin, end] = offsets as number[];
  if (end < begin) fail(`data_offsets [${begin}, ${end}] end before they begin`);
  const count = numel(shape as number[]);
  const expected = count * DTYPE_SIZE[dtype as DType];
  if (!Number.isSafeInteger(expected) || expected !== end - begin) {
    fail(`holds ${end - begin} bytes but shape [${(shape as number[]).join(", ")}] of ${name} needs ${expected}`);
  }
  return { dtype: dtype as DType, shape: shape as number[], begin, end };
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
