/**
 * The export formats: one exporter per `--format` value. Each lives in its own module and is listed here; the
 * command line offers exactly these keys.
 */
import type { Exporter } from "./context.js";
import { exportHf } from "./hf/export.js";
import { exportOnnxFolder } from "./onnx/exporter.js";
import { exportOpenClip } from "./open_clip.js";

export const EXPORTERS: Readonly<Record<string, Exporter>> = {
  open_clip: exportOpenClip,
  hf: exportHf,
  // The transformers.js / onnxruntime-web layout: the hf text files plus onnx/*.onnx (fp32 and int8).
  onnx: exportOnnxFolder,
};

export function exportFormats(): string[] {
  return Object.keys(EXPORTERS);
}
