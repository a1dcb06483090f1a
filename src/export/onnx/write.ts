/**
 * Writes the ONNX graphs of a CLIP model into `<dir>/onnx/`, transformers.js's file names: `model.onnx`,
 * `text_model.onnx`, `vision_model.onnx` (float32) and the same with `_quantized` (int8 weights), which is what
 * transformers.js loads for `dtype: "q8"` (its default on the wasm device).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { HostTensor } from "../../io/host_tensor.js";
import { writeAll, writeFileAtomic } from "../../io/file/atomic_write.js";
import type { ClipConfig } from "../../models/clip/config.js";
import { buildClipGraph, CLIP_GRAPHS, type ClipGraphName } from "./clip_graphs.js";
import { OnnxExportError } from "./errors/onnx_export_error.js";
import { encodeModel } from "./proto.js";
import { GraphWeights, type Precision } from "./weights.js";

/** Protobuf's limit on one message; larger models need ONNX's external-data files, which this writer does not make. */
const MAX_MESSAGE = 2 ** 31 - 1;

export interface OnnxFile {
  /** Relative to the export directory, e.g. `onnx/model_quantized.onnx`. */
  path: string;
  bytes: number;
}

/** The file name transformers.js looks for: `onnx/<graph><suffix>.onnx`. */
export function onnxFileName(graph: string, precision: Precision): string {
  return `onnx/${graph}${precision === "int8" ? "_quantized" : ""}.onnx`;
}

/** One graph as bytes (for tests and for writing). */
export function clipOnnxBytes(graph: ClipGraphName, config: ClipConfig, weights: GraphWeights, producerVersion: string): Buffer[] {
  const chunks = encodeModel(buildClipGraph(graph, config, weights, producerVersion));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  if (total > MAX_MESSAGE) {
    throw new OnnxExportError(
      `the ${graph} graph would be ${(total / 2 ** 30).toFixed(2)} GiB, over protobuf's 2 GiB limit for one file (ONNX external-data files are not written); export a smaller model`,
    );
  }
  return chunks;
}

export interface WriteOnnxOptions {
  precisions?: readonly Precision[];
  producerVersion?: string;
}

export async function writeClipOnnx(dir: string, config: ClipConfig, state: ReadonlyMap<string, HostTensor>, o: WriteOnnxOptions = {}): Promise<OnnxFile[]> {
  await mkdir(join(dir, "onnx"), { recursive: true });
  const files: OnnxFile[] = [];
  for (const precision of o.precisions ?? ["fp32", "int8"]) {
    const weights = new GraphWeights(state, precision);
    for (const graph of CLIP_GRAPHS) {
      const chunks = clipOnnxBytes(graph, config, weights, o.producerVersion ?? "0");
      const path = onnxFileName(graph, precision);
      let pos = 0;
      await writeFileAtomic(join(dir, path), async (h) => {
        // Small chunks are joined so the file is written in a few large writes.
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = async () => {
          if (pendingBytes > 0) pos = await writeAll(h, Buffer.concat(pending), pos);
          pending = [];
          pendingBytes = 0;
        };
        for (const c of chunks) {
          pending.push(c);
          pendingBytes += c.length;
          if (pendingBytes >= 1 << 22) await flush();
        }
        await flush();
      });
      files.push({ path, bytes: pos });
    }
  }
  return files;
}
