/** numpy scalars and dtypes in pickles, as torch.load(weights_only=True) admits them (and nothing more numpy). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { RefusedGlobalError } from "../../src/io/index.js";
import { unpickle, type UnpicklerHooks } from "../../src/io/pickle/unpickler.js";
import { PyDict, type PyValue } from "../../src/io/pickle/py_value.js";
import { findAllowedGlobal } from "../../src/io/torch/allowed_globals.js";
import { NumpyDType } from "../../src/io/torch/numpy_values.js";
import { FormatError } from "../../src/errors/index.js";
import { readCheckpointWeights } from "../../src/models/clip/index.js";
import { tempDir } from "./helpers/torch_pickle.js";

const hooks: UnpicklerHooks = { findGlobal: findAllowedGlobal, persistentLoad: () => { throw new Error("no persistent ids"); } };
const load = (bytes: Uint8Array): PyValue => unpickle(bytes, hooks, { file: "np.pkl" });

// pickle.dumps({'acc': np.float64(71.25), 'n': np.int64(-5), 'big': np.uint64(2**63+1), 'f': np.float32(0.5),
//               'h': np.float16(-2.5), 'ok': np.bool_(True), 'dt': np.dtype('float32')}, protocol=2), numpy 1.24
const NUMPY_PICKLE = Buffer.from("80027d71002858030000006163637101636e756d70792e636f72652e6d756c746961727261790a7363616c61720a7102636e756d70790a64747970650a71035802000000663871048988877105527106284b0358010000003c71074e4e4e4affffffff4affffffff4b0074710862635f636f646563730a656e636f64650a710958090000000000000000c3905140710a58060000006c6174696e31710b86710c52710d86710e52710f58010000006e7110680268035802000000693871118988877112527113284b0368074e4e4e4affffffff4affffffff4b007471146268095810000000c3bbc3bfc3bfc3bfc3bfc3bfc3bfc3bf7115680b8671165271178671185271195803000000626967711a6802680358020000007538711b898887711c52711d284b0368074e4e4e4affffffff4affffffff4b0074711e626809580900000001000000000000c280711f680b8671205271218671225271235801000000667124680268035802000000663471258988877126527127284b0368074e4e4e4affffffff4affffffff4b0074712862680958040000000000003f7129680b86712a52712b86712c52712d580100000068712e6802680358020000006632712f8988877130527131284b0368074e4e4e4affffffff4affffffff4b00747132626809580300000000c3817133680b86713452713586713652713758020000006f6b713868026803580200000062317139898887713a52713b284b0358010000007c713c4e4e4e4affffffff4affffffff4b0074713d626809580100000001713e680b86713f5271408671415271425802000000647471436827752e", "hex");

test("numpy scalars read as plain values and a dtype as a record", () => {
  const d = load(NUMPY_PICKLE) as PyDict;
  assert.ok(d instanceof PyDict);
  assert.equal(d.get("acc"), 71.25);
  assert.equal(d.get("n"), -5);
  assert.equal(d.get("big"), 2n ** 63n + 1n);
  assert.equal(d.get("f"), 0.5);
  assert.equal(d.get("h"), -2.5);
  assert.equal(d.get("ok"), true);
  const dt = d.get("dt");
  assert.ok(dt instanceof NumpyDType);
  assert.equal(dt.code, "f4");
  assert.equal(dt.byteOrder, "<");
});

test("numpy arrays, object dtypes and numpy functions stay refused", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  // protocol 0: GLOBAL numpy.core.multiarray _reconstruct, then STOP
  assert.throws(() => load(text("cnumpy.core.multiarray\n_reconstruct\n.")), RefusedGlobalError);
  assert.throws(() => load(text("cnumpy\nload\n.")), RefusedGlobalError);
  // pickle.dumps(np.dtype('O'), protocol=2): an object dtype is not data
  assert.throws(() => load(Buffer.from("8002636e756d70790a64747970650a710058020000004f3871018988877102527103284b0358010000007c71044e4e4e4affffffff4affffffff4b3f747105622e", "hex")), (e: unknown) => e instanceof FormatError && /numpy dtype 'O8' is not supported/.test(e.message));
});

test("a torch.save checkpoint holding numpy values loads (python3-torch)", async (t) => {
  if (spawnSync("/usr/bin/python3", ["-c", "import torch, numpy"]).status !== 0) {
    t.skip("/usr/bin/python3 with torch and numpy is absent (apt-get install python3-torch)");
    return;
  }
  const dir = await tempDir(t);
  const file = join(dir, "np.pt");
  const py = "import sys, argparse, numpy as np, torch\n" +
    "torch.save({'state_dict': {'w': torch.arange(6.).reshape(2, 3)}, 'best_acc1': np.float64(71.5), 'epoch': np.int64(3), 'dtype': np.dtype('float16'), 'args': argparse.Namespace(model='CLIP_VITB16', lr=np.float32(0.5))}, sys.argv[1])";
  const r = spawnSync("/usr/bin/python3", ["-c", py, file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const w = await readCheckpointWeights(file);
  assert.deepEqual([...w.tensors.keys()], ["w"]);
  assert.equal(w.args?.["model"], "CLIP_VITB16");
  assert.equal(w.args?.["lr"], 0.5);
});
