/**
 * Tensor files in TypeScript: safetensors read/write and PyTorch `torch.save` checkpoints (read-only).
 *
 *   const st = await SafetensorsReader.open(path);   // header only; st.read(key) fetches one tensor
 *   await writeSafetensors(out, tensors, { metadata }); // atomic: temp file + fsync + rename
 *   const ck = await loadTorchCheckpoint(ckptPath);  // value tree now, tensor bytes on t.read()
 *   const sd = await readTorchStateDict(ckptPath, { stripPrefix: "module." });
 */
export { DTYPE_SIZE, TORCH_NAME, numel, type DType, type HostTensor } from "./host_tensor.js";
export { SafetensorsReader, readSafetensors, type SafetensorsTensorInfo } from "./safetensors/reader.js";
export { writeSafetensors, type WriteSafetensorsOptions } from "./safetensors/writer.js";
export { TorchCheckpoint, loadTorchCheckpoint } from "./torch/checkpoint.js";
export { readTorchStateDict } from "./torch/read_state_dict.js";
export { extractStateDict, readTensors, type StateDictOptions } from "./torch/state_dict.js";
export { TorchTensor } from "./torch/torch_tensor.js";
export { TorchStorage } from "./torch/storage.js";
export { RefusedGlobalError } from "./torch/refused_global_error.js";
export { PyDict, PyGlobal, PyNamespace, PyObject, PySlice, isTuple, pyTypeName, type PyValue } from "./pickle/py_value.js";
export { unpickle, type UnpicklerHooks, type PickleSource } from "./pickle/unpickler.js";
export { ZipReader, type ZipEntry } from "./zip/zip_reader.js";
export { writeFileAtomic, writeAll } from "./file/atomic_write.js";
