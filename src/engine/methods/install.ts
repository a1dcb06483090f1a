/** Helpers shared by the method files that add ops to Tensor.prototype. */
import { Tensor } from "../tensor_class.js";
import type { NativeHandle } from "../native_types.js";

/** Defines methods on Tensor.prototype (non-enumerable, like class methods). */
export function install<K extends keyof Tensor>(methods: Pick<Tensor, K> & ThisType<Tensor>): void {
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
}

/** A tensor or a JS number as the addon takes it. */
export type Operand = Tensor | number;
export const operand = (o: Operand): NativeHandle | number => (typeof o === "number" ? o : o.h);

/** Accepts both `f(2, 3)` and `f([2, 3])`. */
export function sizes(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args as number[];
}

/** `dim` given as a number, a list, or nothing ("all"). */
export const dimList = (dim: number | readonly number[] | undefined): number[] | null =>
  dim === undefined ? null : typeof dim === "number" ? [dim] : [...dim];
