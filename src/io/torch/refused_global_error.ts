import { FormatError, type FileLocation } from "../../errors/index.js";

/**
 * A pickle names a Python global outside the checkpoint reader's allow-list (e.g. `os.system`). Nothing is
 * ever executed: the reader stops at the opcode that names it. `global` is the `module.name` refused.
 */
export class RefusedGlobalError extends FormatError {
  constructor(
    readonly global: string,
    location: FileLocation,
    reason = "this reader rebuilds only tensors and plain containers (dict, list, tuple, OrderedDict, argparse.Namespace), never code",
  ) {
    super(
      `refuses the Python global '${global}': ${reason}. If you trust the file, load it with PyTorch and re-save ` +
        "its tensors (e.g. the state_dict as safetensors)",
      location,
    );
  }
}
