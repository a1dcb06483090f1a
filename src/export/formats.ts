/**
 * The export formats: one exporter per `--format` value. Each lives in its own module and is listed here; the
 * command line offers exactly these keys.
 */
import type { Exporter } from "./context.js";
import { exportHf } from "./hf/export.js";
import { exportOpenClip } from "./open_clip.js";

export const EXPORTERS: Readonly<Record<string, Exporter>> = {
  open_clip: exportOpenClip,
  hf: exportHf,
  // onnx: the transformers.js / onnxruntime-web layout (the hf text files plus onnx/*.onnx), registered here.
};

export function exportFormats(): string[] {
  return Object.keys(EXPORTERS);
}
