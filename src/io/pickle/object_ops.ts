/**
 * The opcodes that call into Python objects (REDUCE, NEWOBJ, BUILD). A real unpickler runs arbitrary code
 * here; this one only invokes the TypeScript functions an allowed `PyGlobal` carries, and BUILD only fills
 * the attribute records of the few types that have them.
 */
import { PyDict, PyGlobal, PyNamespace, PyObject, isTuple, pyTypeName, type PyValue } from "./py_value.js";

/** An object BUILD may update: it receives the pickled state (usually its `__dict__`). */
export interface Buildable {
  setState(state: PyValue): void;
  /** Whether BUILD hands over the state as pickled (a numpy dtype's tuple) instead of a __dict__. */
  readonly takesRawState?: boolean;
}

export function reduce(fn: PyValue, args: PyValue): PyValue {
  if (!(fn instanceof PyGlobal) || fn.call === undefined) {
    throw new Error(`REDUCE calls a ${describe(fn)}, which this reader cannot call`);
  }
  if (!isTuple(args)) throw new Error(`REDUCE arguments for ${fn.qualifiedName} are a ${pyTypeName(args)}, not a tuple`);
  return fn.call(args);
}

export function newObject(cls: PyValue, args: PyValue, kwargs?: PyValue): PyValue {
  if (!(cls instanceof PyGlobal) || cls.construct === undefined) {
    throw new Error(`NEWOBJ constructs a ${describe(cls)}, which this reader cannot construct`);
  }
  if (!isTuple(args)) throw new Error(`NEWOBJ arguments for ${cls.qualifiedName} are not a tuple`);
  if (kwargs !== undefined && !(kwargs instanceof PyDict && kwargs.size === 0)) {
    throw new Error(`NEWOBJ_EX keyword arguments for ${cls.qualifiedName} are not supported`);
  }
  return cls.construct(args);
}

export function build(obj: PyValue, state: PyValue): void {
  if (obj instanceof PyObject && isBuildable(obj) && obj.takesRawState === true) return obj.setState(state);
  // State may be (dict, slots) for objects with __slots__; only the dict part is meaningful here.
  let dict = state;
  if (isTuple(state) && state.length === 2) {
    if (state[1] !== null) throw new Error(`BUILD with __slots__ state on a ${pyTypeName(obj)} is not supported`);
    dict = state[0];
  }
  if (dict === null) return;
  if (!(dict instanceof PyDict)) throw new Error(`BUILD state for a ${pyTypeName(obj)} is a ${pyTypeName(dict)}, not a dict`);
  if (obj instanceof PyNamespace) {
    for (const [k, v] of dict) {
      if (typeof k !== "string") throw new Error(`argparse.Namespace attribute name is a ${pyTypeName(k)}`);
      obj.fields[k] = v;
    }
  } else if (obj instanceof PyDict) {
    obj.attributes = dict;
  } else if (obj instanceof PyObject && isBuildable(obj)) {
    obj.setState(dict);
  } else {
    throw new Error(`BUILD on a ${describe(obj)} is not supported`);
  }
}

function isBuildable(obj: PyObject): obj is PyObject & Buildable {
  return typeof (obj as Partial<Buildable>).setState === "function";
}

function describe(v: PyValue): string {
  return v instanceof PyGlobal ? `global ${v.qualifiedName}` : pyTypeName(v);
}

/** DICT and SETITEMS: alternating keys and values. */
export function setItems(d: PyDict, items: readonly PyValue[]): PyDict {
  if (items.length % 2 !== 0) throw new Error("odd number of items for a dict");
  for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
  return d;
}
