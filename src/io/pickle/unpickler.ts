/**
 * A restricted unpickler: it decodes the pickle opcodes a checkpoint uses into `PyValue`s and never executes
 * anything. Globals go through `hooks.findGlobal`, which returns an allowed `PyGlobal` or throws; persistent
 * ids (torch's storage references) go through `hooks.persistentLoad`. Any malformed input is a FormatError
 * naming the file, the pickle entry and the byte offset of the opcode.
 */
import { FormatError, LaclipError, type FileLocation } from "../../errors/index.js";
import { ByteCursor, TruncatedError } from "./byte_cursor.js";
import { build, newObject, reduce, setItems } from "./object_ops.js";
import { MAX_PROTOCOL, OP, opName } from "./opcodes.js";
import { PyDict, PyGlobal, type PyValue } from "./py_value.js";
import { readScalar } from "./scalar_ops.js";

export interface UnpicklerHooks {
  /** Returns the allowed global or throws (e.g. RefusedGlobalError); `at` locates the opcode. */
  findGlobal(module: string, name: string, at: FileLocation): PyGlobal;
  persistentLoad(pid: PyValue, at: FileLocation): PyValue;
}

/** Where the pickle came from, for messages: the file and, inside an archive, the entry. */
export interface PickleSource {
  file: string;
  entry?: string;
}

export function unpickle(bytes: Uint8Array, hooks: UnpicklerHooks, source: PickleSource): PyValue {
  const m = new Machine(new ByteCursor(bytes), hooks, source);
  return m.run();
}

class Machine {
  private stack: PyValue[] = [];
  private readonly marks: PyValue[][] = [];
  private readonly memo = new Map<number, PyValue>();
  private opStart = 0;

  constructor(
    private readonly c: ByteCursor,
    private readonly hooks: UnpicklerHooks,
    private readonly source: PickleSource,
  ) {}

  run(): PyValue {
    let op = -1;
    try {
      for (;;) {
        this.opStart = this.c.pos;
        if (this.c.done) throw new TruncatedError("the pickle ends without a STOP opcode");
        op = this.c.u8();
        if (op === OP.STOP) return this.pop();
        this.step(op);
      }
    } catch (err) {
      if (err instanceof LaclipError) throw err;
      const what = err instanceof TruncatedError ? "is truncated: " : "";
      const at = op < 0 ? "" : ` (at ${opName(op)})`;
      throw new FormatError(`pickle ${what}${(err as Error).message}${at}`, this.where(), { cause: err });
    }
  }

  private where(): FileLocation {
    const loc: FileLocation = { file: this.source.file, offset: this.opStart };
    if (this.source.entry !== undefined) loc.key = this.source.entry;
    return loc;
  }

  private step(op: number): void {
    const c = this.c;
    const scalar = readScalar(op, c);
    if (scalar !== undefined) return void this.push(scalar.value);
    switch (op) {
      case OP.PROTO: {
        const p = c.u8();
        if (p > MAX_PROTOCOL) throw new Error(`protocol ${p} is newer than ${MAX_PROTOCOL}`);
        return;
      }
      case OP.FRAME: // Frames only batch reads; the whole pickle is in memory already.
        if (c.u64() > c.bytes.byteLength - c.pos) throw new TruncatedError("a FRAME is longer than the rest of the pickle");
        return;
      case OP.MARK: this.marks.push(this.stack); this.stack = []; return;
      case OP.POP: this.pop(); return;
      case OP.POP_MARK: this.popMark(); return;
      case OP.DUP: this.push(this.top()); return;
      case OP.BINPUT: this.memo.set(c.u8(), this.top()); return;
      case OP.LONG_BINPUT: this.memo.set(c.u32(), this.top()); return;
      case OP.PUT: this.memo.set(c.decimalLine(), this.top()); return;
      case OP.MEMOIZE: this.memo.set(this.memo.size, this.top()); return;
      case OP.BINGET: this.push(this.get(c.u8())); return;
      case OP.LONG_BINGET: this.push(this.get(c.u32())); return;
      case OP.GET: this.push(this.get(c.decimalLine())); return;
      case OP.EMPTY_DICT: this.push(new PyDict()); return;
      case OP.DICT: this.push(setItems(new PyDict(), this.popMark())); return;
      case OP.SETITEM: { const v = this.pop(); const k = this.pop(); this.dictOnTop().set(k, v); return; }
      case OP.SETITEMS: { const items = this.popMark(); setItems(this.dictOnTop(), items); return; }
      case OP.EMPTY_LIST: this.push([]); return;
      case OP.LIST: this.push(this.popMark()); return;
      case OP.APPEND: { const v = this.pop(); this.listOnTop().push(v); return; }
      case OP.APPENDS: {
        const items = this.popMark();
        const list = this.listOnTop();
        for (const i of items) list.push(i);
        return;
      }
      case OP.EMPTY_TUPLE: this.push(Object.freeze([])); return;
      case OP.TUPLE: this.push(Object.freeze(this.popMark())); return;
      case OP.TUPLE1: case OP.TUPLE2: case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        if (this.stack.length < n) throw new Error("stack underflow");
        this.push(Object.freeze(this.stack.splice(this.stack.length - n, n)));
        return;
      }
      case OP.EMPTY_SET: this.push(new Set()); return;
      case OP.ADDITEMS: {
        const items = this.popMark();
        const set = this.top();
        if (!(set instanceof Set)) throw new Error("ADDITEMS on a non-set");
        for (const i of items) set.add(i);
        return;
      }
      case OP.FROZENSET: this.push(new Set(this.popMark())); return;
      case OP.GLOBAL: {
        const module = c.line();
        const name = c.line();
        this.push(this.hooks.findGlobal(module, name, this.where()));
        return;
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== "string" || typeof name !== "string") {
          throw new Error("STACK_GLOBAL operands are not strings");
        }
        this.push(this.hooks.findGlobal(module, name, this.where()));
        return;
      }
      case OP.INST: {
        const cls = this.hooks.findGlobal(c.line(), c.line(), this.where());
        this.push(newObject(cls, Object.freeze(this.popMark())));
        return;
      }
      case OP.OBJ: {
        const [cls, ...args] = this.popMark();
        this.push(newObject(cls ?? null, Object.freeze(args)));
        return;
      }
      case OP.REDUCE: { const args = this.pop(); const fn = this.pop(); this.push(reduce(fn, args)); return; }
      case OP.NEWOBJ: { const args = this.pop(); const cls = this.pop(); this.push(newObject(cls, args)); return; }
      case OP.NEWOBJ_EX: {
        const kwargs = this.pop();
        const args = this.pop();
        this.push(newObject(this.pop(), args, kwargs));
        return;
      }
      case OP.BUILD: { const state = this.pop(); build(this.top(), state); return; }
      case OP.BINPERSID: this.push(this.hooks.persistentLoad(this.pop(), this.where())); return;
      case OP.PERSID: this.push(this.hooks.persistentLoad(c.line(), this.where())); return;
      default:
        throw new Error(`${opName(op)} is not supported by this restricted reader`);
    }
  }

  /** A method, not `this.stack.push`: operands that pop a mark replace `this.stack` before the push. */
  private push(v: PyValue): void {
    this.stack.push(v);
  }

  private pop(): PyValue {
    if (this.stack.length === 0) throw new Error("stack underflow");
    return this.stack.pop() as PyValue;
  }

  private top(): PyValue {
    if (this.stack.length === 0) throw new Error("stack underflow");
    return this.stack[this.stack.length - 1];
  }

  private popMark(): PyValue[] {
    const items = this.stack;
    const below = this.marks.pop();
    if (below === undefined) throw new Error("no MARK to pop to");
    this.stack = below;
    return items;
  }

  private get(i: number): PyValue {
    if (!this.memo.has(i)) throw new Error(`memo slot ${i} was never stored`);
    return this.memo.get(i) as PyValue;
  }

  private dictOnTop(): PyDict {
    const d = this.top();
    if (!(d instanceof PyDict)) throw new Error("SETITEM(S) on a non-dict");
    return d;
  }

  private listOnTop(): PyValue[] {
    const l = this.top();
    if (!Array.isArray(l) || Object.isFrozen(l)) throw new Error("APPEND(S) on a non-list");
    return l;
  }
}
