/**
 * A separately written reference of CLIP_benchmark's probe training, in double precision: nested arrays, logits,
 * softmax and the batch-mean gradient as matrices, torch.optim.AdamW's update on weight and bias alike, the
 * cosine schedule. Rows are taken in `o.orders[epoch]` when given, else in row order (no shuffle).
 */
export function referenceTrain(x: number[][], y: number[], w0: number[][], b0: number[], o: { lr: number; epochs: number; batch: number; wd: number; orders?: number[][] }): { w: number[][]; b: number[] } {
  const w = w0.map((r) => [...r]);
  const b = [...b0];
  const C = w.length;
  const D = x[0]!.length;
  const state = { mw: w.map((r) => r.map(() => 0)), vw: w.map((r) => r.map(() => 0)), mb: b.map(() => 0), vb: b.map(() => 0) };
  const batches: number[][] = [];
  for (let s = 0; s < x.length; s += o.batch) batches.push(Array.from({ length: Math.min(o.batch, x.length - s) }, (_, i) => s + i));
  const total = o.epochs * batches.length;
  let t = 0;
  for (let e = 0; e < o.epochs; e++) for (const idx of batches) {
    const lr = (o.lr * (1 + Math.cos((Math.PI * t) / total))) / 2;
    t++;
    const gw = w.map((r) => r.map(() => 0));
    const gb = b.map(() => 0);
    for (const k of idx) {
      const i = o.orders ? o.orders[e]![k]! : k;
      const z = w.map((r, c) => r.reduce((s, v, d) => s + v * x[i]![d]!, b[c]!));
      const m = Math.max(...z);
      const ez = z.map((v) => Math.exp(v - m));
      const sum = ez.reduce((a, v) => a + v);
      for (let c = 0; c < C; c++) {
        const g = (ez[c]! / sum - (c === y[i] ? 1 : 0)) / idx.length;
        gb[c]! += g;
        for (let d = 0; d < D; d++) gw[c]![d]! += g * x[i]![d]!;
      }
    }
    const adam = (p: number, g: number, m: number[], v: number[], j: number): number => {
      m[j] = 0.9 * m[j]! + 0.1 * g;
      v[j] = 0.999 * v[j]! + 0.001 * g * g;
      const denom = Math.sqrt(v[j]!) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
      return p * (1 - lr * o.wd) - (lr / (1 - 0.9 ** t)) * (m[j]! / denom);
    };
    for (let c = 0; c < C; c++) {
      for (let d = 0; d < D; d++) w[c]![d] = adam(w[c]![d]!, gw[c]![d]!, state.mw[c]!, state.vw[c]!, d);
      b[c] = adam(b[c]!, gb[c]!, state.mb, state.vb, c);
    }
  }
  return { w, b };
}

