/**
 * Loads the native addon, once, for the whole engine; no other file requires it. The addon is looked up
 * under the package root (found by walking up to laclip's package.json, so this works from src/ via tsx and
 * from dist/src/), or at LACLIP_NATIVE when set.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors/config_error.js";
import { DisposedTensorError } from "./errors/disposed_tensor_error.js";
import { EngineError } from "./errors/engine_error.js";
import type { NativeAddon, NativeErrorKind } from "./native_types.js";

const ADDON = join("native", "build", "Release", "laclip_native.node");

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "laclip") return dir;
    const up = dirname(dir);
    if (up === dir) throw new ConfigError("cannot find laclip's package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/**
 * libtorch's OpenMP threads (libgomp) spin for a while after each parallel region by default. Next to
 * OpenBLAS's own thread pool (Debian's libtorch uses openblas-pthread) a spinning OpenMP thread takes a core
 * from the matrix product that follows, and every small op of a training step pays for it: on 2 cores a
 * bench-s training step ran about 2x faster with passive waiting (threads sleep at once). libgomp reads the
 * policy when it loads, with the addon, so it is set just for that moment (unless the user set it) and taken
 * out again: child processes, which may be other programs, keep the environment they were given.
 */
function withOpenMpPolicy<T>(load: () => T): T {
  const own = process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined;
  if (own) process.env.OMP_WAIT_POLICY = "passive";
  try {
    return load();
  } finally {
    if (own) delete process.env.OMP_WAIT_POLICY;
  }
}

function load(): NativeAddon {
  const path = process.env.LACLIP_NATIVE || join(packageRoot(), ADDON);
  if (!existsSync(path)) {
    throw new ConfigError(`native addon not built: ${path} is missing; run 'make setup' (or 'npm run build:native')`, "LACLIP_NATIVE");
  }
  try {
    return withOpenMpPolicy(() => createRequire(import.meta.url)(path) as NativeAddon);
  } catch (err) {
    throw new ConfigError(`cannot load the native addon ${path}: ${(err as Error).message}; rebuild it with 'make setup'`, "LACLIP_NATIVE", { cause: err });
  }
}

function makeError(op: string, kind: NativeErrorKind, message: string): Error {
  return kind === "disposed" ? new DisposedTensorError(op) : new EngineError(op, kind, message);
}

/** Intra-op threads when LACLIP_NUM_THREADS is unset: every core this process may use. */
export function defaultThreads(): number {
  const env = process.env.LACLIP_NUM_THREADS;
  if (env === undefined || env === "") return availableParallelism();
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(`LACLIP_NUM_THREADS must be a positive integer, got '${env}'`, "LACLIP_NUM_THREADS");
  }
  return n;
}

export const N: NativeAddon = load();
N.setErrorFactory(makeError);
N.setNumThreads(defaultThreads());
