/** Finite-difference gradient checks (f64) of views, indexing, joining and splitting. */
import { test } from "node:test";
import { gradcheck, leaf } from "./gradcheck.js";
import { cat, stack, tensor, type Tensor } from "../../src/engine/index.js";

test("views and shape ops match finite differences", () => {
  const x = leaf([2, 3, 4]);
  const cases: [string, (x: Tensor) => Tensor][] = [
    ["reshape", (t) => t.reshape(4, 6)], ["view", (t) => t.view([6, 4])], ["permute", (t) => t.permute(2, 0, 1)],
    ["transpose", (t) => t.transpose(0, 2)], ["contiguous", (t) => t.transpose(1, 2).contiguous()],
    ["flatten", (t) => t.flatten(1)], ["unsqueeze+squeeze", (t) => t.unsqueeze(1).mul(2).squeeze(1)],
    ["narrow", (t) => t.narrow(2, 1, 2)], ["slice step", (t) => t.slice(2, 0, undefined, 2)],
    ["slice negative", (t) => t.slice(1, -2)], ["select", (t) => t.select(1, 2)],
    ["expand", (t) => t.select(2, 0).unsqueeze(2).expand(2, 3, 5)], ["repeat", (t) => t.repeat(1, 2, 1)],
    ["flip", (t) => t.flip(0, 2)], ["roll", (t) => t.roll(1, 2)], ["triu", (t) => t.triu(1)], ["tril", (t) => t.tril(-1)],
    ["chunk", (t) => t.chunk(2, 2)[1]!.mul(t.chunk(2, 2)[0]!)], ["split sizes", (t) => t.split([1, 3], 2)[1]!],
    ["unbind", (t) => t.unbind(0)[1]!], ["t", (t) => t.select(0, 0).t()],
  ];
  for (const [name, f] of cases) gradcheck(name, f, [x]);
  x.dispose();
});

test("indexing ops match finite differences", () => {
  const x = leaf([3, 4]);
  const idx = tensor([2, 0, 2], { dtype: "i64" });
  const g = tensor([[0, 3], [1, 1], [2, 0]], { dtype: "i64" }); // repeats: fine for gather/scatterAdd
  const u = tensor([[0, 3], [1, 2], [2, 0]], { dtype: "i64" }); // unique per row: scatter is well defined
  const src = leaf([3, 2], (i) => 0.1 * i - 0.2);
  const rows = tensor([0, 2, 2], { dtype: "i64" });
  const colsSel = tensor([1, 3, 0], { dtype: "i64" });
  const bmask = tensor([true, false, true]);
  gradcheck("indexSelect", (t) => t.indexSelect(0, idx), [x]);
  gradcheck("gather", (t) => t.gather(1, g), [x]);
  gradcheck("scatter", (t, s) => t.scatter(1, u, s), [x, src]);
  gradcheck("scatter scalar", (t) => t.scatter(1, u, 0.5), [x]);
  gradcheck("scatterAdd", (t, s) => t.scatterAdd(1, g, s), [x, src]);
  gradcheck("index (rows, cols)", (t) => t.index(rows, colsSel), [x]);
  gradcheck("index (bool mask, null)", (t) => t.index(bmask, null), [x]);
  for (const t of [x, idx, g, u, src, rows, colsSel, bmask]) t.dispose();
});

test("cat and stack match finite differences", () => {
  const a = leaf([2, 3]);
  const b = leaf([1, 3], (i) => 2 - i);
  gradcheck("cat", (x, y) => cat([x, y, x], 0), [a, b]);
  gradcheck("stack", (x, y) => stack([x, y.expand(2, 3)], 1), [a, b]);
  a.dispose();
  b.dispose();
});
