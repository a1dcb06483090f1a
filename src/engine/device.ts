/** Device names: 'cpu', 'cuda' or 'cuda:N'; CUDA is accepted only where libtorch has it and a GPU is present. */
import { EngineError } from "./errors/engine_error.js";
import { N } from "./native.js";

export type Device = "cpu" | "cuda" | `cuda:${number}`;

let cudaCount: number | undefined;

export function cudaDeviceCount(): number {
  return (cudaCount ??= N.cudaDeviceCount());
}

export function cudaAvailable(): boolean {
  return cudaDeviceCount() > 0;
}

/** Checks a device name before it reaches libtorch, whose own message for a missing backend is a page long. */
export function checkDevice(device: string | undefined, op: string): string | null {
  if (device === undefined || device === "cpu") return null;
  const m = /^cuda(?::(\d+))?$/.exec(device);
  if (!m) throw new EngineError(op, "device", `unknown device '${device}'; use 'cpu', 'cuda' or 'cuda:N'`);
  const count = cudaDeviceCount();
  if (count === 0) {
    const why = N.builtWithCuda() ? "no CUDA device is visible" : "this libtorch was built without CUDA";
    throw new EngineError(op, "device", `device '${device}' requested but ${why}; use 'cpu' or build against a CUDA libtorch (LIBTORCH=/path)`);
  }
  if (m[1] !== undefined && Number(m[1]) >= count) {
    throw new EngineError(op, "device", `device '${device}' requested but only ${count} CUDA device(s) exist`);
  }
  return device;
}
