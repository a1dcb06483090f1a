/** What the engine runs on: libtorch version, threads, devices. */
import { cudaDeviceCount } from "./device.js";
import { N } from "./native.js";

export interface EngineInfo {
  torchVersion: string;
  threads: number;
  builtWithCuda: boolean;
  cudaDevices: number;
  /** libtorch's own report (OpenMP, MKL, ...). */
  parallelInfo: string;
}

export function engineInfo(): EngineInfo {
  return {
    torchVersion: N.version(),
    threads: N.getNumThreads(),
    builtWithCuda: N.builtWithCuda(),
    cudaDevices: cudaDeviceCount(),
    parallelInfo: N.parallelInfo(),
  };
}
