import { LaclipError } from "../../../errors/laclip_error.js";

/** A model that cannot be written as ONNX: a missing or mistyped tensor, or a model too large for one file. */
export class OnnxExportError extends LaclipError {}
