/**
 * Builds torch.save-style checkpoints by hand: the pickle calls for a tensor exactly as torch.save lays them
 * out (`_rebuild_tensor_v2` over a persistent storage id), and the zip with `<prefix>/data.pkl`,
 * `<prefix>/data/<key>` and `<prefix>/version`, data aligned to 64 bytes.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { PickleWriter } from "./pickle_writer.js";
import { buildZip, type ZipInput, type ZipOptions } from "./zip_writer.js";

export interface StorageSpec {
  key: string;
  /** torch storage class name, e.g. "FloatStorage". */
  cls: string;
  numel: number;
}

export interface TensorSpec {
  storage: StorageSpec;
  offset: number;
  size: number[];
  stride: number[];
  parameter?: boolean;
  requiresGrad?: boolean;
}

function intTuple(w: PickleWriter, values: number[]): void {
  if (values.length === 0) w.emptyTuple();
  else if (values.length <= 3) {
    for (const v of values) w.int(v);
    w.tupleN(values.length as 1 | 2 | 3);
  } else {
    w.mark();
    for (const v of values) w.int(v);
    w.tuple();
  }
}

/** Pushes one tensor (or Parameter) onto the pickle stack. */
export function pushTensor(w: PickleWriter, t: TensorSpec): void {
  if (t.parameter) w.global("torch._utils", "_rebuild_parameter");
  w.global("torch._utils", "_rebuild_tensor_v2").mark();
  w.mark().str("storage").global("torch", t.storage.cls).str(t.storage.key).str("cpu").int(t.storage.numel).tuple();
  w.binpersid().int(t.offset);
  intTuple(w, t.size);
  intTuple(w, t.stride);
  w.bool(t.parameter ? false : (t.requiresGrad ?? false));
  w.global("collections", "OrderedDict").emptyTuple().reduce();
  w.tuple().reduce();
  if (t.parameter) {
    w.bool(t.requiresGrad ?? true).global("collections", "OrderedDict").emptyTuple().reduce().tupleN(3).reduce();
  }
}

/** A checkpoint zip around a finished pickle and the raw bytes of each storage. */
export function checkpointZip(
  pickle: Uint8Array,
  storages: ReadonlyMap<string, Uint8Array>,
  prefix = "archive",
  extra: ZipInput[] = [],
  options: ZipOptions = { align64: true },
): Uint8Array {
  const entries: ZipInput[] = [{ name: `${prefix}/data.pkl`, data: pickle }];
  for (const [key, data] of storages) entries.push({ name: `${prefix}/data/${key}`, data });
  entries.push({ name: `${prefix}/version`, data: new TextEncoder().encode("3\n") }, ...extra);
  return buildZip(entries, options);
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function f32Values(data: Uint8Array): number[] {
  return Array.from(new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4));
}

/** A temporary directory removed after the test. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-io-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function writeTemp(t: TestContext, name: string, bytes: Uint8Array): Promise<string> {
  const path = join(await tempDir(t), name);
  await writeFile(path, bytes);
  return path;
}
