/**
 * Reads a safetensors file one tensor at a time: `open` reads and validates only the header, `read(key)`
 * fetches that tensor's bytes with one positioned read into a fresh buffer, so a reader never holds more than
 * the tensors the caller asked for.
 */
import { FormatError } from "../../errors/index.js";
import type { DType, HostTensor } from "../host_tensor.js";
import { PositionedFile } from "../file/positioned_file.js";
import { headerLength, parseHeader, type SafetensorsEntry } from "./header.js";

export interface SafetensorsTensorInfo {
  dtype: DType;
  shape: number[];
  byteLength: number;
  /** Absolute position of the tensor's first byte in the file. */
  fileOffset: number;
}

export class SafetensorsReader {
  private constructor(
    private readonly file: PositionedFile,
    private readonly entries: Map<string, SafetensorsEntry>,
    private readonly dataStart: number,
    /** `__metadata__` as a null-prototype object, or undefined when the file has none. */
    readonly metadata: Readonly<Record<string, string>> | undefined,
  ) {}

  static async open(path: string): Promise<SafetensorsReader> {
    const file = await PositionedFile.open(path);
    try {
      const n = headerLength(await file.readAt(0, Math.min(8, file.size)), file.size, path);
      const header = parseHeader(await file.readAt(8, n), file.size, path);
      return new SafetensorsReader(file, header.entries, header.dataStart, header.metadata);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  get path(): string {
    return this.file.path;
  }

  /** Tensor names in file order. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  info(key: string): SafetensorsTensorInfo {
    const e = this.entry(key);
    return { dtype: e.dtype, shape: [...e.shape], byteLength: e.end - e.begin, fileOffset: this.dataStart + e.begin };
  }

  async read(key: string): Promise<HostTensor> {
    const e = this.entry(key);
    const data = await this.file.readAt(this.dataStart + e.begin, e.end - e.begin, key);
    return { dtype: e.dtype, shape: [...e.shape], data };
  }

  /** Every tensor, in file order. Convenience for small files; large ones should `read` what they need. */
  async readAll(): Promise<Map<string, HostTensor>> {
    const out = new Map<string, HostTensor>();
    for (const key of this.entries.keys()) out.set(key, await this.read(key));
    return out;
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private entry(key: string): SafetensorsEntry {
    const e = this.entries.get(key);
    if (e === undefined) {
      throw new FormatError(`no such tensor; the file has ${this.entries.size} (see keys())`, { file: this.path, key });
    }
    return e;
  }
}

/** Opens, reads every tensor and the metadata, and closes. */
export async function readSafetensors(
  path: string,
): Promise<{ tensors: Map<string, HostTensor>; metadata: Readonly<Record<string, string>> | undefined }> {
  const reader = await SafetensorsReader.open(path);
  try {
    return { tensors: await reader.readAll(), metadata: reader.metadata };
  } finally {
    await reader.close();
  }
}
