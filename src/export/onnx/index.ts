/**
 * The `onnx` export: transformers.js's folder layout for a CLIP model.
 *
 *   await exportOnnx("out/", { config, state: model.hostStateDict(), merges: readDefaultMerges() });
 *   // config.json tokenizer.json ... preprocessor_config.json (the hf text files)
 *   // onnx/model.onnx onnx/text_model.onnx onnx/vision_model.onnx, and each with _quantized (int8 weights)
 *
 * Every architecture laclip trains exports (qk-norm too: the graphs are built here, not traced).
 */
import { relative } from "node:path";
import type { HostTensor } from "../../io/host_tensor.js";
import type { ClipConfig } from "../../models/clip/config.js";
import { BpeVocab, type MergeList } from "../../tokenizer/index.js";
import { writeHfTextFiles } from "../hf/text_files.js";
import { OnnxExportError } from "./errors/onnx_export_error.js";
import { writeClipOnnx, type OnnxFile } from "./write.js";
import type { Precision } from "./weights.js";

export { OnnxExportError } from "./errors/onnx_export_error.js";
export { CLIP_GRAPHS, buildClipGraph, type ClipGraphName } from "./clip_graphs.js";
export { onnxFileName, writeClipOnnx, type OnnxFile, type WriteOnnxOptions } from "./write.js";
export { GraphWeights, type Precision } from "./weights.js";

export interface OnnxExportInput {
  config: ClipConfig;
  /** The model's state_dict (laclip's parameter names for its layout), float32, bfloat16 or float16. */
  state: ReadonlyMap<string, HostTensor>;
  /** The merges the model's texts were tokenized with (written as tokenizer.json, vocab.json, merges.txt). */
  merges: MergeList;
  /** Default both: float32 and int8 (`_quantized`). */
  precisions?: readonly Precision[];
  producerVersion?: string;
}

export interface OnnxExportSummary {
  /** Paths relative to the export directory. */
  files: string[];
  onnx: OnnxFile[];
}

export async function exportOnnx(dir: string, o: OnnxExportInput): Promise<OnnxExportSummary> {
  const vocab = new BpeVocab(o.merges);
  if (vocab.size > o.config.text.vocabSize) {
    throw new OnnxExportError(
      `the tokenizer has ${vocab.size} tokens but the model's text embedding only ${o.config.text.vocabSize} rows; pass the merges the model was trained with (--merges)`,
    );
  }
  const text = await writeHfTextFiles(dir, o.config, o.merges);
  const onnx = await writeClipOnnx(dir, o.config, o.state, { precisions: o.precisions, producerVersion: o.producerVersion });
  return { files: [...text.map((p) => relative(dir, p)), ...onnx.map((f) => f.path)], onnx };
}
