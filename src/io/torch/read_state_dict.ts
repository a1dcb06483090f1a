/** One call from a checkpoint path to host tensors: open, find the state_dict, read it, close. */
import type { HostTensor } from "../host_tensor.js";
import { TorchCheckpoint } from "./checkpoint.js";
import { readTensors, type StateDictOptions } from "./state_dict.js";

export async function readTorchStateDict(path: string, options: StateDictOptions = {}): Promise<Map<string, HostTensor>> {
  const ckpt = await TorchCheckpoint.open(path);
  try {
    return await readTensors(ckpt.stateDict(options));
  } finally {
    await ckpt.close();
  }
}
