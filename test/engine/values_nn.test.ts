/** Results of linear-algebra and NN ops against straightforward JS implementations. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose, values } from "./close.js";
import * as E from "../../src/engine/index.js";

type M = number[][];
const matmulJs = (a: M, b: M): M => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const mat = (r: number, c: number, seed: number): M => {
  const v = values(r * c, seed);
  return Array.from({ length: r }, (_, i) => v.slice(i * c, i * c + c));
};
const softmaxJs = (r: number[]): number[] => {
  const m = Math.max(...r);
  const e = r.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const f64 = (m: unknown) => E.tensor(m as number[], { dtype: "f64" });

test("matmul, mm, bmm, addmm, linear", () => {
  const a = mat(5, 7, 1);
  const b = mat(7, 3, 2);
  assertClose(f64(a).matmul(f64(b)), matmulJs(a, b), 1e-12, "matmul");
  assertClose(E.tensor(a).mm(E.tensor(b)), matmulJs(a, b), 1e-5, "mm f32");
  const c = mat(5, 3, 3);
  const ab = matmulJs(a, b);
  assertClose(E.addmm(f64(c), f64(a), f64(b), { beta: 2, alpha: -1 }), c.map((r, i) => r.map((v, j) => 2 * v - ab[i]![j]!)), 1e-12);
  const w = mat(3, 7, 4);
  const bias = values(3, 5);
  const wt = w[0]!.map((_, k) => w.map((r) => r[k]!)); // (7, 3)
  assertClose(E.linear(f64(a), f64(w), f64(bias)), matmulJs(a, wt).map((r) => r.map((v, j) => v + bias[j]!)), 1e-12, "linear");
  const batch = [mat(2, 3, 6), mat(2, 3, 7)];
  const other = [mat(3, 4, 8), mat(3, 4, 9)];
  assertClose(f64(batch).bmm(f64(other)), batch.map((m, i) => matmulJs(m, other[i]!)), 1e-12, "bmm");
});

test("softmax, logSoftmax, layerNorm, normalize", () => {
  const x = mat(3, 5, 11);
  assertClose(f64(x).softmax(-1), x.map(softmaxJs), 1e-12, "softmax");
  assertClose(f64(x).logSoftmax(1), x.map((r) => softmaxJs(r).map(Math.log)), 1e-12, "logSoftmax");
  const g = values(5, 12);
  const b = values(5, 13);
  const ln = x.map((r) => {
    const m = r.reduce((s, v) => s + v, 0) / r.length;
    const v = r.reduce((s, u) => s + (u - m) ** 2, 0) / r.length; // biased, as LayerNorm
    return r.map((u, i) => ((u - m) / Math.sqrt(v + 1e-5)) * g[i]! + b[i]!);
  });
  assertClose(E.layerNorm(f64(x), [5], f64(g), f64(b), 1e-5), ln, 1e-10, "layerNorm");
  const nrm = x.map((r) => {
    const n = Math.sqrt(r.reduce((s, v) => s + v * v, 0));
    return r.map((v) => v / n);
  });
  assertClose(f64(x).normalize(), nrm, 1e-12, "normalize");
  assertClose(E.zeros([2, 3]).normalize(), [[0, 0, 0], [0, 0, 0]], 0, "normalize of zeros stays finite");
});

test("cross entropy with weights, label smoothing and ignore_index", () => {
  const logits = mat(4, 3, 21);
  const target = [2, 0, 1, 1];
  const w = [0.5, 1, 2];
  const logp = logits.map((r) => softmaxJs(r).map(Math.log));
  const ce = (eps: number, weight: number[] | undefined, ignore: number) => {
    let num = 0;
    let den = 0;
    target.forEach((t, i) => {
      if (t === ignore) return;
      const wt = weight ? weight[t]! : 1;
      // smoothed target: (1 - eps) one-hot + eps / C
      const smooth = logp[i]!.reduce((s, lp, c) => s + (weight ? weight[c]! : 1) * lp, 0) / 3;
      num += -(1 - eps) * wt * logp[i]![t]! - eps * smooth;
      den += wt;
    });
    return num / den;
  };
  const L = f64(logits);
  const T = (t: number[]) => E.tensor(t, { dtype: "i64" });
  assertClose(E.crossEntropy(L, T(target)), [ce(0, undefined, -100)], 1e-12, "plain");
  assertClose(E.crossEntropy(L, T(target), { labelSmoothing: 0.2 }), [ce(0.2, undefined, -100)], 1e-12, "smoothing");
  assertClose(E.crossEntropy(L, T(target), { weight: f64(w) }), [ce(0, w, -100)], 1e-12, "weight");
  assertClose(E.crossEntropy(L, T(target), { ignoreIndex: 1 }), [ce(0, undefined, 1)], 1e-12, "ignoreIndex");
  assertClose(E.crossEntropy(L, T(target), { reduction: "none" }), target.map((t, i) => -logp[i]![t]!), 1e-12, "none");
});

test("conv2d against a direct loop", () => {
  const [N, C, H, W, O, K] = [1, 2, 5, 5, 3, 3];
  const x = values(N * C * H * W, 31);
  const w = values(O * C * K * K, 32);
  const b = values(O, 33);
  const stride = 2;
  const pad = 1;
  const Ho = Math.floor((H + 2 * pad - K) / stride) + 1;
  const out: number[] = [];
  for (let o = 0; o < O; o++)
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Ho; j++) {
        let s = b[o]!;
        for (let c = 0; c < C; c++)
          for (let ki = 0; ki < K; ki++)
            for (let kj = 0; kj < K; kj++) {
              const yi = i * stride - pad + ki;
              const xj = j * stride - pad + kj;
              if (yi < 0 || xj < 0 || yi >= H || xj >= W) continue;
              s += x[(c * H + yi) * W + xj]! * w[((o * C + c) * K + ki) * K + kj]!;
            }
        out.push(s);
      }
  const y = E.conv2d(
    E.tensor(x, { dtype: "f64", shape: [N, C, H, W] }),
    E.tensor(w, { dtype: "f64", shape: [O, C, K, K] }),
    E.tensor(b, { dtype: "f64" }),
    { stride, padding: pad },
  );
  assert.deepEqual(y.shape, [N, O, Ho, Ho]);
  assertClose(y, out, 1e-12, "conv2d");
});

test("scaled dot-product attention against a JS reference (causal, bool and additive masks)", () => {
  const [L, S, D] = [3, 4, 2];
  const q = mat(L, D, 41);
  const k = mat(S, D, 42);
  const v = mat(S, 3, 43);
  const ref = (allowed: (i: number, j: number) => boolean, add: (i: number, j: number) => number, scale: number) =>
    q.map((qi, i) => {
      const sc = k.map((kj, j) => (allowed(i, j) ? qi.reduce((s, a, d) => s + a * kj[d]!, 0) * scale + add(i, j) : -Infinity));
      const p = softmaxJs(sc);
      return v[0]!.map((_, c) => p.reduce((s, pj, j) => s + pj * v[j]![c]!, 0));
    });
  const [Q, K, V] = [f64(q), f64(k), f64(v)];
  const sc = 1 / Math.sqrt(D);
  assertClose(E.scaledDotProductAttention(Q, K, V), ref(() => true, () => 0, sc), 1e-12, "plain");
  assertClose(E.scaledDotProductAttention(Q, K, V, { causal: true }), ref((i, j) => j <= i, () => 0, sc), 1e-12, "causal");
  const allowed = (i: number, j: number) => (i + j) % 3 !== 1;
  const boolMask = E.tensor(q.map((_, i) => k.map((_, j) => allowed(i, j))));
  assertClose(E.scaledDotProductAttention(Q, K, V, { mask: boolMask }), ref(allowed, () => 0, sc), 1e-12, "bool mask");
  const add = (i: number, j: number) => 0.3 * i - 0.2 * j;
  const addMask = f64(q.map((_, i) => k.map((_, j) => add(i, j))));
  assertClose(E.scaledDotProductAttention(Q, K, V, { mask: addMask, scale: 0.7 }), ref(() => true, add, 0.7), 1e-12, "float mask");
});

test("embedding, gelu (exact), dropout", () => {
  const table = mat(4, 2, 51);
  assertClose(E.embedding(f64(table), E.tensor([[3, 0]], { dtype: "i64" })), [[table[3], table[0]]], 1e-12);
  // exact GELU x * Phi(x); Phi via erf from its Taylor series (converges fast for |x| < 2)
  const erf = (x: number) => {
    let s = 0;
    let term = x;
    for (let n = 0; n < 60; n++) {
      s += term / (2 * n + 1);
      term *= (-x * x) / (n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * s;
  };
  const xs = values(9, 52).map((v) => 2 * v);
  assertClose(f64(xs).gelu(), xs.map((x) => 0.5 * x * (1 + erf(x / Math.SQRT2))), 1e-12, "gelu");
  const ones = E.ones([20000]);
  const d = ones.dropout(0.25, true, new E.Generator(5));
  const kept = d.ne(0).sum().item();
  assert.ok(Math.abs(kept / 20000 - 0.75) < 0.02, `kept fraction ${kept / 20000}`);
  assertClose(d.sum(), [kept / 0.75], 1e-4, "survivors scaled by 1/(1-p)");
  assert.equal(ones.dropout(0.25, false).sum().item(), 20000);
  assert.ok(ones.dropout(0.5, true, new E.Generator(9)).allclose(ones.dropout(0.5, true, new E.Generator(9)), 0, 0));
});
