/**
 * Memory you can reason about: tensors are freed by `dispose()`, by the end of a `tidy` scope, or by `using`.
 * A FinalizationRegistry only counts (and with LACLIP_LEAK_REPORT=1 reports) tensors that were garbage
 * collected while still holding memory, then frees them: a safety net, not the way memory is meant to go.
 */
import { LaclipError } from "../errors/laclip_error.js";
import { N } from "./native.js";
import type { HostAllocatorPolicy, NativeHandle } from "./native_types.js";
import type { Tensor } from "./tensor_class.js";

const REPORT = process.env.LACLIP_LEAK_REPORT === "1";

interface Held {
  h: NativeHandle;
  stack: string;
}

let leaked = 0;
const registry = new FinalizationRegistry<NativeHandle | Held>((held) => {
  const h = typeof held === "object" ? held.h : held;
  if (N.isDisposed(h)) return;
  leaked += 1;
  if (REPORT) console.error(`laclip: tensor garbage-collected without dispose(), created at\n${(held as Held).stack}`);
  N.dispose(h);
});

if (REPORT) {
  process.on("exit", () => {
    console.error(`laclip: at exit ${N.liveHandles()} tensors live (${N.liveBytes()} bytes), ${leaked} leaked so far`);
  });
}

/** Tensors created inside each open tidy scope, innermost last. */
const scopes: Tensor[][] = [];
const kept = new WeakSet<Tensor>();

/**
 * Called by the Tensor constructor for every tensor that owns its handle. The tensor is its own unregister
 * token: dispose() unregisters it, so the registry's cell goes at once rather than piling up until the
 * garbage collector runs (a synchronous training loop never yields to it: ~17 MB per 1,000 small steps).
 */
export function track(t: Tensor, h: NativeHandle): void {
  registry.register(t, REPORT ? { h, stack: new Error().stack ?? "" } : h, t);
  const scope = scopes[scopes.length - 1];
  if (scope !== undefined) scope.push(t);
}

/** Called by dispose(): the tensor's memory is gone, so the safety net has nothing left to watch. */
export function untrack(t: Tensor): void {
  registry.unregister(t);
}

/** Exempts `t` from every enclosing and future tidy scope; it lives until disposed explicitly. */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}

function collect(value: unknown, out: Set<Tensor>, seen: Set<unknown>, TensorClass: Function): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (value instanceof TensorClass) out.add(value as Tensor);
  else if (Array.isArray(value)) for (const v of value) collect(v, out, seen, TensorClass);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, seen, TensorClass);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, seen, TensorClass);
  }
}

let tensorClass: Function = class {};
/** Set once by tensor_class.ts (avoids an import cycle at module evaluation). */
export function registerTensorClass(c: Function): void {
  tensorClass = c;
}

/**
 * Runs `fn`, then disposes every tensor created during it except those it returns (found in arrays, Maps and
 * plain objects of the result) and those passed to `keep`. Returned tensors move to the enclosing scope.
 * Synchronous only: for async code use `using t = ...` (Symbol.dispose).
 */
export function tidy<T>(fn: () => T): T {
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    for (const t of scope) if (!kept.has(t)) t.dispose();
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) if (!kept.has(t)) t.dispose();
    throw new LaclipError("tidy() got an async function; tensors outlive its scope. Use `using` declarations in async code");
  }
  const out = new Set<Tensor>();
  collect(result, out, new Set(), tensorClass);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) continue;
    if (out.has(t)) parent?.push(t);
    else t.dispose();
  }
  return result;
}

/** Tensors holding memory right now (handles not yet disposed), including `.grad` views owned by parameters. */
export const liveTensors = (): number => N.liveHandles();
/** Bytes of the storages those tensors hold, each storage counted once (views share one). */
export const liveBytes = (): number => N.liveBytes();

/**
 * The host allocator policy set when the addon loaded (native/src/host_allocator.cc): whether freed tensor
 * memory is kept for reuse instead of returned to the kernel, or why glibc's defaults were left alone.
 */
export const hostAllocatorPolicy = (): HostAllocatorPolicy => N.hostAllocatorPolicy();
/** Tensors the garbage collector found undisposed so far (each one a leak the safety net cleaned up). */
export const leakedTensors = (): number => leaked;
