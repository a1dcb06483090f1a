/**
 * Opens a `torch.save` checkpoint (the zip format of PyTorch >= 1.6): `<prefix>/data.pkl` is decoded by the
 * restricted unpickler, and each storage it references becomes a lazy TorchStorage over `<prefix>/data/<key>`.
 * The value tree is available at once; tensor bytes are read only when a TorchTensor's `read()` is awaited,
 * which needs the checkpoint to stay open until then.
 */
import { FormatError, type FileLocation } from "../../errors/index.js";
import { PositionedFile } from "../file/positioned_file.js";
import { unpickle } from "../pickle/unpickler.js";
import { PyGlobal, isTuple, type PyValue } from "../pickle/py_value.js";
import { ZipReader } from "../zip/zip_reader.js";
import { findAllowedGlobal } from "./allowed_globals.js";
import { STORAGE_DTYPES, TorchStorage } from "./storage.js";
import { extractStateDict, type StateDictOptions } from "./state_dict.js";
import type { TorchTensor } from "./torch_tensor.js";

export class TorchCheckpoint {
  private constructor(
    private readonly zip: ZipReader,
    /** The unpickled object: for a training checkpoint, a PyDict with `state_dict`, `epoch`, `args`, ... */
    readonly root: PyValue,
    /** The archive's folder name inside the zip, with its trailing slash (e.g. `checkpoint/`). */
    readonly prefix: string,
  ) {}

  get path(): string {
    return this.zip.path;
  }

  static async open(path: string): Promise<TorchCheckpoint> {
    const zip = await openZip(path);
    try {
      const pickles = zip.names().filter((n) => /^[^/]+\/data\.pkl$/.test(n));
      if (pickles.length !== 1) {
        throw new FormatError(`expected one '<name>/data.pkl' entry in the archive, found ${pickles.length}`, { file: path });
      }
      const pklName = pickles[0];
      const prefix = pklName.slice(0, -"data.pkl".length);
      await checkByteOrder(zip, prefix);
      const storages = new Map<string, TorchStorage>();
      const root = unpickle(await zip.read(zip.entry(pklName)!), {
        findGlobal: findAllowedGlobal,
        persistentLoad: (pid, at) => loadStorage(zip, prefix, storages, pid, at),
      }, { file: path, entry: pklName });
      return new TorchCheckpoint(zip, root, prefix);
    } catch (err) {
      await zip.close();
      throw err;
    }
  }

  /** The flat `name -> tensor` map of the checkpoint's model weights; see StateDictOptions. */
  stateDict(options: StateDictOptions = {}): Map<string, TorchTensor> {
    return extractStateDict(this.root, options, this.path);
  }

  async close(): Promise<void> {
    await this.zip.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export function loadTorchCheckpoint(path: string): Promise<TorchCheckpoint> {
  return TorchCheckpoint.open(path);
}

async function openZip(path: string): Promise<ZipReader> {
  try {
    return await ZipReader.open(path);
  } catch (err) {
    if (!(err instanceof FormatError) || !(await startsLikeLegacyPickle(path))) throw err;
    throw new FormatError(
      "is a legacy (pre-1.6, non-zip) torch.save file, which this reader does not support; re-save it with a current PyTorch",
      { file: path },
      { cause: err },
    );
  }
}

async function startsLikeLegacyPickle(path: string): Promise<boolean> {
  const file = await PositionedFile.open(path);
  try {
    return file.size >= 2 && (await file.readAt(0, 1))[0] === 0x80;
  } finally {
    await file.close();
  }
}

/** Newer torch.save writes `<prefix>byteorder`; tensors are only readable as-is when it says little-endian. */
async function checkByteOrder(zip: ZipReader, prefix: string): Promise<void> {
  const entry = zip.entry(`${prefix}byteorder`);
  if (entry === undefined) return;
  const order = new TextDecoder().decode(await zip.read(entry)).trim();
  if (order !== "little") {
    throw new FormatError(`byte order is '${order}'; only little-endian checkpoints are supported`, { file: zip.path, key: entry.name });
  }
}

/** Persistent id of a storage: ('storage', <storage class>, key, location, numel). */
function loadStorage(zip: ZipReader, prefix: string, cache: Map<string, TorchStorage>, pid: PyValue, at: FileLocation): TorchStorage {
  const fail = (why: string): never => {
    throw new FormatError(why, at);
  };
  if (!isTuple(pid) || pid.length !== 5 || pid[0] !== "storage") fail("persistent id is not a ('storage', ...) tuple");
  const [, type, key, , numel] = pid as readonly PyValue[];
  const dtype = type instanceof PyGlobal && type.module === "torch" ? STORAGE_DTYPES.get(type.name) : undefined;
  if (dtype === undefined) fail("persistent id names no supported storage class");
  if (typeof key !== "string") fail("storage key is not a string");
  if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0) fail("storage length is not a count");
  const known = cache.get(key as string);
  if (known !== undefined) {
    if (known.dtype !== dtype || known.numel !== numel) fail(`storage '${key}' is referenced with two different types or sizes`);
    return known;
  }
  const name = `${prefix}data/${key}`;
  const entry = zip.entry(name);
  if (entry === undefined) fail(`storage '${key}' has no '${name}' entry in the archive; the checkpoint is incomplete`);
  const storage = new TorchStorage(zip, entry!, key as string, dtype!, numel as number);
  cache.set(key as string, storage);
  return storage;
}
