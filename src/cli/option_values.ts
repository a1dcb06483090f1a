/**
 * Option values checked as a command reads them. A bad value is a UsageError naming the flag (one line, exit 2),
 * the same wording in every command.
 */
import { UsageError } from "../errors/usage_error.js";

/** An integer >= `min`, or undefined when the option is absent. */
export function intOption(v: string | undefined, key: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${key} must be an integer >= ${min}, got '${v}'`, key);
  return Number(v);
}

/** A finite number > 0, or undefined when the option is absent. */
export function positiveOption(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${key} must be a positive number, got '${v}'`, key);
  return n;
}

/** One of `choices`, or undefined when the option is absent. */
export function oneOfOption<T extends string>(v: string | undefined, key: string, choices: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${key} must be one of ${choices.join(", ")}, got '${v}'`, key);
  return v as T;
}
