/**
 * Python values as the restricted unpickler hands them to TypeScript.
 *
 * | Python                          | TypeScript                                                       |
 * |---------------------------------|------------------------------------------------------------------|
 * | None, bool, str                 | null, boolean, string                                            |
 * | int                             | number when it is a safe integer, else bigint                    |
 * | float                           | number (so 1.0 and 1 both read as 1)                             |
 * | bytes, bytearray                | Uint8Array                                                       |
 * | list                            | PyValue[]                                                        |
 * | tuple, torch.Size               | frozen PyValue[] (`Object.isFrozen` tells it from a list)        |
 * | dict, OrderedDict               | PyDict: a Map, so int keys (optimizer state) stay ints and       |
 * |                                 | insertion order is kept; tuple keys compare by identity          |
 * | set, frozenset                  | Set<PyValue>                                                     |
 * | argparse.Namespace              | PyNamespace: a null-prototype record of its attributes           |
 * | allowed globals, tensors, ...   | subclasses of PyObject                                           |
 */

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | readonly PyValue[]
  | PyDict
  | Set<PyValue>
  | PyObject;

/** Every non-container object the allow-list can produce. */
export abstract class PyObject {
  /** The Python type, `module.name`, for messages. */
  abstract readonly pyType: string;
}

/** A dict. `attributes` holds the instance `__dict__` an OrderedDict may carry (a state_dict's `_metadata`). */
export class PyDict extends Map<PyValue, PyValue> {
  declare attributes: PyDict | undefined;
}

/** `argparse.Namespace`: its attributes as a plain record (null prototype: every name is data). */
export class PyNamespace extends PyObject {
  readonly pyType = "argparse.Namespace";
  readonly fields: Record<string, PyValue> = Object.create(null) as Record<string, PyValue>;
}

/** `slice(start, stop, step)`. */
export class PySlice extends PyObject {
  readonly pyType = "builtins.slice";
  constructor(
    readonly start: PyValue,
    readonly stop: PyValue,
    readonly step: PyValue,
  ) {
    super();
  }
}

/**
 * A global the allow-list admits, e.g. `collections.OrderedDict`. `call` is REDUCE (`f(*args)`), `construct`
 * is NEWOBJ (`cls.__new__(cls, *args)`); a global without them is only data (a storage type marker).
 */
export class PyGlobal extends PyObject {
  readonly pyType = "global";
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call?: (args: readonly PyValue[]) => PyValue,
    readonly construct?: (args: readonly PyValue[]) => PyValue,
  ) {
    super();
  }

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

export function isTuple(v: PyValue): v is readonly PyValue[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

/** A short description of a value's Python type, for error messages. */
export function pyTypeName(v: PyValue): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "bigint") return "int";
  if (typeof v === "string") return "str";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return Object.isFrozen(v) ? "tuple" : "list";
  if (!(v instanceof PyObject)) return "object";
  if (v instanceof PyDict) return "dict";
  if (v instanceof Set) return "set";
  return (v as PyObject).pyType;
}
