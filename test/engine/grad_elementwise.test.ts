/** Finite-difference gradient checks (f64) of the elementwise and reduction ops. */
import { test } from "node:test";
import { gradcheck, leaf } from "./gradcheck.js";
import { tensor, where, type Tensor } from "../../src/engine/index.js";

const pos = (i: number): number => 0.5 + 0.37 * ((i * 7) % 5); // strictly positive, away from kinks
const away = (i: number): number => (i % 2 ? 1 : -1) * (0.3 + 0.21 * i); // no zeros (abs, relu, sign)

test("unary ops match finite differences", () => {
  const unary: [string, (x: Tensor) => Tensor, ((i: number) => number)?][] = [
    ["neg", (x) => x.neg()], ["exp", (x) => x.exp()], ["log", (x) => x.log(), pos], ["log2", (x) => x.log2(), pos],
    ["log1p", (x) => x.log1p(), pos], ["expm1", (x) => x.expm1()], ["sqrt", (x) => x.sqrt(), pos],
    ["rsqrt", (x) => x.rsqrt(), pos], ["abs", (x) => x.abs(), away], ["sigmoid", (x) => x.sigmoid()],
    ["tanh", (x) => x.tanh()], ["relu", (x) => x.relu(), away], ["reciprocal", (x) => x.reciprocal(), pos],
    ["sin", (x) => x.sin()], ["cos", (x) => x.cos()], ["erf", (x) => x.erf()], ["square", (x) => x.square()],
    ["silu", (x) => x.silu()], ["logSigmoid", (x) => x.logSigmoid()], ["gelu", (x) => x.gelu()],
    ["gelu tanh", (x) => x.gelu("tanh")], ["quickGelu (custom autograd function)", (x) => x.quickGelu()],
    ["pow scalar", (x) => x.pow(3)], ["clamp", (x) => x.clamp(-0.5, 0.7), away],
    ["mul scalar", (x) => x.mul(2.5)], ["div scalar", (x) => x.div(-4)], ["rsub", (x) => x.rsub(1, 2)],
  ];
  for (const [name, f, values] of unary) {
    const x = leaf([2, 3], values);
    gradcheck(name, f, [x]);
    x.dispose();
  }
});

test("binary ops (with broadcasting) match finite differences", () => {
  const a = leaf([2, 3]);
  const b = leaf([3], (i) => 0.8 + 0.3 * i);
  const c = leaf([2, 3], (i) => 1.1 + 0.2 * i);
  const cases: [string, (...x: Tensor[]) => Tensor][] = [
    ["add alpha", (x, y) => x.add(y, 0.5)], ["sub alpha", (x, y) => x.sub(y, 2)], ["mul", (x, y) => x.mul(y)],
    ["div", (x, y) => x.div(y)], ["pow tensor", (x, y) => y.pow(x)], ["maximum", (x, y) => x.maximum(y.mul(0.9))],
    ["minimum", (x, y) => x.minimum(y.mul(0.9))], ["lerp", (x, y) => x.lerp(y.expandAs(x), 0.3)],
    ["lerp tensor weight", (x, y) => x.lerp(y.expandAs(x), y.sigmoid())],
  ];
  for (const [name, f] of cases) gradcheck(name, f, [a, b]);
  gradcheck("addcmul", (x, y, z) => x.addcmul(y, z, 0.7), [a, b, c]);
  gradcheck("addcdiv", (x, y, z) => x.addcdiv(y, z, -0.4), [a, b, c]);
  const mask = tensor([[true, false, true], [false, false, true]]);
  gradcheck("where", (x, z) => where(mask, x, z), [a, c]);
  gradcheck("maskedFill", (x) => x.maskedFill(mask, 0.25), [a]);
  for (const t of [a, b, c, mask]) t.dispose();
});

test("reductions match finite differences", () => {
  const x = leaf([3, 4], (i) => Math.sin(1.3 * i) + 0.05 * i); // distinct values: max/topk/sort well defined
  const cases: [string, (x: Tensor) => Tensor][] = [
    ["sum all", (t) => t.sum()], ["sum dim keepdim", (t) => t.sum(1, true)], ["mean dims", (t) => t.mean([0, 1])],
    ["prod", (t) => t.prod(1)], ["amax", (t) => t.amax(0)], ["amin", (t) => t.amin(1)], ["max all", (t) => t.max()],
    ["max dim values", (t) => t.max(1).values], ["min dim values", (t) => t.min(0).values],
    ["topk values", (t) => t.topk(2, 1).values], ["sort values", (t) => t.sort(1, true).values],
    ["norm 2", (t) => t.norm()], ["norm 1 dim", (t) => t.norm(1, 1)], ["logsumexp", (t) => t.logsumexp(1)],
    ["var", (t) => t.var(1)], ["std unbiased=false", (t) => t.std(0, { correction: 0 })], ["cumsum", (t) => t.cumsum(1)],
  ];
  for (const [name, f] of cases) gradcheck(name, f, [x]);
  x.dispose();
});
