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
  /** BLAS libraries loaded in this process (e.g. OpenBLAS's libblas.so.3), and whether its threads follow ours. */
  blas: { libraries: string[]; openblasThreadControl: boolean };
}

export function engineInfo(): EngineInfo {
  return {
    torchVersion: N.version(),
    threads: N.getNumThreads(),
    builtWithCuda: N.builtWithCuda(),
    cudaDevices: cudaDeviceCount(),
    parallelInfo: N.parallelInfo(),
    blas: N.blasInfo(),
  };
}
