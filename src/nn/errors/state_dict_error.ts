import { LaclipError } from "../../errors/laclip_error.js";

/** A key whose tensor has a different shape in the state dict than in the module. */
export interface MismatchedKey {
  key: string;
  expected: readonly number[];
  got: readonly number[];
}

/** Keys that did not line up when loading a state dict into a module (or optimizer state into an optimizer). */
export interface StateDictProblems {
  /** In the module, absent from the state dict. */
  missingKeys: string[];
  /** In the state dict, absent from the module. */
  unexpectedKeys: string[];
  mismatchedKeys: MismatchedKey[];
}

const SHOWN = 20;

function list(keys: readonly string[]): string {
  const shown = keys.slice(0, SHOWN).map((k) => `'${k}'`).join(", ");
  return keys.length > SHOWN ? `${shown} ... and ${keys.length - SHOWN} more` : shown;
}

const shape = (s: readonly number[]): string => `[${s.join(", ")}]`;

/**
 * A state dict that does not fit its module: every missing, unexpected and mis-shaped key in one message, and
 * as lists on the error for code that wants to react to them.
 */
export class StateDictError extends LaclipError {
  readonly missingKeys: string[];
  readonly unexpectedKeys: string[];
  readonly mismatchedKeys: MismatchedKey[];

  constructor(what: string, p: StateDictProblems, hint: string, options?: { cause?: unknown }) {
    const parts: string[] = [];
    if (p.missingKeys.length > 0) parts.push(`${p.missingKeys.length} missing key(s) (in the model, not in the state dict): ${list(p.missingKeys)}`);
    if (p.unexpectedKeys.length > 0) parts.push(`${p.unexpectedKeys.length} unexpected key(s) (in the state dict, not in the model): ${list(p.unexpectedKeys)}`);
    if (p.mismatchedKeys.length > 0) {
      const m = p.mismatchedKeys.slice(0, SHOWN).map((k) => `'${k.key}' expects ${shape(k.expected)}, got ${shape(k.got)}`);
      if (p.mismatchedKeys.length > SHOWN) m.push(`... and ${p.mismatchedKeys.length - SHOWN} more`);
      parts.push(`${p.mismatchedKeys.length} mis-shaped key(s): ${m.join("; ")}`);
    }
    super(`${what}: ${parts.join("; ")}. ${hint}`, options);
    this.missingKeys = p.missingKeys;
    this.unexpectedKeys = p.unexpectedKeys;
    this.mismatchedKeys = p.mismatchedKeys;
  }
}
