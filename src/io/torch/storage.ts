/**
 * A torch storage inside a checkpoint archive: `<prefix>data/<key>`, read lazily and only in the element
 * ranges tensors ask for. Tensors that view one storage share one TorchStorage object.
 */
import { FormatError } from "../../errors/index.js";
import { DTYPE_SIZE, type DType } from "../host_tensor.js";
import { PyObject } from "../pickle/py_value.js";
import type { ZipEntry, ZipReader } from "../zip/zip_reader.js";

/** The storage classes torch.save names in persistent ids, and the element type each holds. */
export const STORAGE_DTYPES: ReadonlyMap<string, DType> = new Map<string, DType>([
  ["FloatStorage", "f32"], ["DoubleStorage", "f64"], ["HalfStorage", "f16"], ["BFloat16Storage", "bf16"],
  ["LongStorage", "i64"], ["IntStorage", "i32"], ["ShortStorage", "i16"], ["CharStorage", "i8"],
  ["ByteStorage", "u8"], ["BoolStorage", "bool"],
]);

export class TorchStorage extends PyObject {
  readonly pyType = "torch.storage";

  constructor(
    private readonly zip: ZipReader,
    private readonly entry: ZipEntry,
    readonly key: string,
    readonly dtype: DType,
    /** Length in elements. */
    readonly numel: number,
  ) {
    super();
    const bytes = numel * DTYPE_SIZE[dtype];
    if (entry.size !== bytes) {
      throw new FormatError(`storage of ${numel} ${dtype} needs ${bytes} bytes but the entry has ${entry.size}`, {
        file: zip.path,
        key: entry.name,
      });
    }
  }

  get entryName(): string {
    return this.entry.name;
  }

  /** Elements [start, start + count), as bytes. */
  async readElements(start: number, count: number): Promise<Uint8Array> {
    const es = DTYPE_SIZE[this.dtype];
    return this.zip.readRange(this.entry, start * es, count * es);
  }
}
