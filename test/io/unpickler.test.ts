import { test } from "node:test";
import assert from "node:assert/strict";
import { FormatError } from "../../src/errors/index.js";
import { unpickle, type UnpicklerHooks } from "../../src/io/pickle/unpickler.js";
import { PyDict, PyGlobal, PyNamespace, isTuple, type PyValue } from "../../src/io/pickle/py_value.js";
import { findAllowedGlobal } from "../../src/io/torch/allowed_globals.js";
import { PickleWriter } from "./helpers/pickle_writer.js";

const hooks: UnpicklerHooks = {
  findGlobal: findAllowedGlobal,
  persistentLoad: () => {
    throw new Error("no persistent ids in these tests");
  },
};
const load = (w: PickleWriter): PyValue => unpickle(w.toBytes(), hooks, { file: "test.pkl", entry: "x/data.pkl" });

test("scalars: ints of every width, big and negative ints, floats, strings, bytes, constants", () => {
  const w = new PickleWriter().proto(2).mark();
  w.int(7).int(300).int(70000).int(-5).int(-(2 ** 31)).long1(2n ** 70n).long1(-(2n ** 64n)).long1(255n);
  w.float(0.1).float(-2.5).str("héllo").shortStr("s").bytesOf(Uint8Array.of(0, 255)).none().bool(true).bool(false);
  const out = load(w.tuple().stop()) as PyValue[];
  assert.deepEqual(out.slice(0, 8), [7, 300, 70000, -5, -(2 ** 31), 2n ** 70n, -(2n ** 64n), 255]);
  assert.deepEqual(out.slice(8, 11), [0.1, -2.5, "héllo"]);
  assert.equal(out[11], "s");
  assert.deepEqual(out[12], Uint8Array.of(0, 255));
  assert.deepEqual(out.slice(13), [null, true, false]);
});

test("containers: tuples are frozen, lists are not, dicts keep int keys and order, memo shares objects", () => {
  const w = new PickleWriter().proto(2).emptyDict().binput(0).mark();
  w.int(1).emptyList().binput(1).mark().int(1).int(2).appends().str("a").append();
  w.str("pair").int(3).int(4).tupleN(2);
  w.str("again").binget(1);
  w.setitems().stop();
  const d = load(w) as PyDict;
  assert.ok(d instanceof PyDict);
  assert.deepEqual([...d.keys()], [1, "pair", "again"]);
  assert.deepEqual(d.get(1), [1, 2, "a"]);
  assert.equal(isTuple(d.get(1) as PyValue), false);
  assert.ok(isTuple(d.get("pair") as PyValue));
  assert.equal(d.get("again"), d.get(1), "BINGET returns the same list object");
});

test("protocol 4 framing: FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE, NEWOBJ/BUILD, sets", () => {
  const body = new PickleWriter().emptyDict().memoize().mark().shortStr("ns").memoize();
  body.stackGlobal("argparse", "Namespace").memoize().emptyTuple().newobj().memoize();
  body.emptyDict().shortStr("lr").float(0.001).setitem().build();
  body.shortStr("s").op(0x8f).mark().int(2).int(3).op(0x90);
  body.setitems().stop();
  const bytes = body.toBytes();
  const d = load(new PickleWriter().proto(4).frame(bytes.length).raw(bytes)) as PyDict;
  const ns = d.get("ns") as PyNamespace;
  assert.ok(ns instanceof PyNamespace);
  assert.equal(ns.fields.lr, 0.001);
  assert.deepEqual(d.get("s"), new Set([2, 3]));
});

test("OrderedDict with instance state (a state_dict's _metadata) keeps the state as attributes", () => {
  const w = new PickleWriter().proto(2).global("collections", "OrderedDict").emptyTuple().reduce();
  w.mark().str("w").int(1).setitems();
  w.emptyDict().str("_metadata").emptyDict().setitem().build().stop();
  const d = load(w) as PyDict;
  assert.deepEqual([...d.entries()], [["w", 1]]);
  assert.ok(d.attributes?.get("_metadata") instanceof PyDict);
});

test("protocol 2 bytes through _codecs.encode(str, 'latin1') and builtins through __builtin__", () => {
  const w = new PickleWriter().proto(2).mark();
  w.global("_codecs", "encode").str("a\u00ff").str("latin1").tupleN(2).reduce();
  w.global("__builtin__", "set").emptyList().mark().int(5).appends().tupleN(1).reduce();
  const [bytes, set] = load(w.tuple().stop()) as PyValue[];
  assert.deepEqual(bytes, Uint8Array.of(0x61, 0xff));
  assert.deepEqual(set, new Set([5]));
});

test("a global outside the allow-list is refused by name, at its opcode", () => {
  const w = new PickleWriter().proto(2).global("os", "system").str("echo hi").tupleN(1).reduce().stop();
  assert.throws(() => load(w), (err: Error) => {
    assert.ok(err instanceof FormatError);
    assert.match(err.message, /'os\.system'/);
    assert.match(err.message, /test\.pkl/);
    assert.match(err.message, /byte 2/);
    return true;
  });
});

test("malformed pickles give FormatErrors naming the file, entry, offset and opcode", () => {
  const cases: [string, PickleWriter, RegExp][] = [
    ["unknown opcode", new PickleWriter().proto(2).op(0xff), /unknown opcode 0xff/],
    ["no STOP", new PickleWriter().proto(2).none(), /without a STOP/],
    ["truncated string", new PickleWriter().proto(2).raw([0x58, 10, 0, 0, 0, 0x61]), /truncated.*BINUNICODE/],
    ["stack underflow", new PickleWriter().proto(2).tupleN(2), /underflow/],
    ["memo miss", new PickleWriter().proto(2).binget(9), /memo slot 9/],
    ["newer protocol", new PickleWriter().proto(6), /protocol 6/],
    ["BUILD on an int", new PickleWriter().proto(2).int(1).emptyDict().build(), /BUILD on a int/],
    ["REDUCE on a string", new PickleWriter().proto(2).str("f").emptyTuple().reduce(), /cannot call/],
    ["extension registry", new PickleWriter().proto(2).op(0x82, 1), /EXT1.*not supported/],
    ["SETITEMS without MARK", new PickleWriter().proto(2).emptyDict().int(1).int(2).setitems(), /no MARK/],
    ["frame past the end", new PickleWriter().proto(4).frame(100).none().stop(), /FRAME/],
    ["huge BINBYTES", new PickleWriter().proto(2).raw([0x42, 0xff, 0xff, 0xff, 0x7f]), /truncated/],
  ];
  for (const [what, w, re] of cases) {
    assert.throws(() => load(w), (err: Error) => {
      assert.ok(err instanceof FormatError, what);
      assert.match(err.message, re, what);
      assert.match(err.message, /test\.pkl.*key 'x\/data\.pkl'/, what);
      return true;
    });
  }
});

test("allowed globals are data markers when not callable: calling a storage class is refused", () => {
  const w = new PickleWriter().proto(2).global("torch", "FloatStorage").emptyTuple().reduce().stop();
  assert.throws(() => load(w), /cannot call/);
  const g = unpickle(new PickleWriter().proto(2).global("torch", "FloatStorage").stop().toBytes(), hooks, { file: "f" });
  assert.ok(g instanceof PyGlobal && g.qualifiedName === "torch.FloatStorage");
});
