import { LaclipError } from "../../errors/laclip_error.js";

/** `laclip serve` cannot start: the folder is no onnx export, a file the page needs is missing, or the port is taken. */
export class ServeError extends LaclipError {}
