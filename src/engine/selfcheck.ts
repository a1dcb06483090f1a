/**
 * A short, real check of the engine: what it runs on, then a few computations checked against independent
 * answers (JS arithmetic, analytic derivatives, finite differences) and a throughput figure.
 */
import { realpathSync } from "node:fs";
import { autocast, grad, noGrad } from "./autograd.js";
import { timeMatmul } from "./bench.js";
import { tensor } from "./create.js";
import { engineInfo } from "./info.js";
import { liveTensors, tidy } from "./memory.js";
import { manualSeed, randn } from "./random.js";
import "./tensor.js";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SelfcheckReport {
  torchVersion: string;
  threads: number;
  devices: string[];
  blas: string[];
  checks: Check[];
  gflops?: { fp32: number; bf16: number };
  ok: boolean;
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

function matmulCheck(): Check {
  const [n, k, m] = [3, 5, 4];
  const a = Array.from({ length: n * k }, (_, i) => Math.sin(i + 1));
  const b = Array.from({ length: k * m }, (_, i) => Math.cos(2 * i));
  const want = Array.from({ length: n * m }, (_, idx) => {
    const [i, j] = [Math.floor(idx / m), idx % m];
    return Array.from({ length: k }, (_, p) => a[i * k + p]! * b[p * m + j]!).reduce((s, v) => s + v, 0);
  });
  const got = tidy(() => tensor(a, { shape: [n, k] }).matmul(tensor(b, { shape: [k, m] })).toTypedArray() as Float32Array);
  const err = maxAbs(got, want);
  return { name: `matmul ${n}x${k} @ ${k}x${m} equals the JS product`, ok: err < 1e-5, detail: `max abs error ${err.toExponential(1)}` };
}

function autogradCheck(): Check {
  // f(x) = sum(x^2 sin x): df/dx = 2x sin x + x^2 cos x
  const xs = [-1.5, -0.2, 0.7, 2.1];
  const want = xs.map((x) => 2 * x * Math.sin(x) + x * x * Math.cos(x));
  const got = tidy(() => {
    const x = tensor(xs, { dtype: "f64", requiresGrad: true });
    const [g] = grad([x.square().mul(x.sin()).sum()], [x]);
    return g!.toTypedArray() as Float64Array;
  });
  const err = maxAbs(got, want);
  return { name: "autograd of sum(x^2 sin x) equals 2x sin x + x^2 cos x", ok: err < 1e-12, detail: `max abs error ${err.toExponential(1)}` };
}

function customFunctionCheck(): Check {
  const xs = [-2, -0.5, 0.3, 1.7];
  const f = (x: number) => x / (1 + Math.exp(-1.702 * x));
  const eps = 1e-6;
  const want = xs.map((x) => (f(x + eps) - f(x - eps)) / (2 * eps));
  const got = tidy(() => {
    const x = tensor(xs, { dtype: "f64", requiresGrad: true });
    x.quickGelu().sum().backward();
    return x.grad!.toTypedArray() as Float64Array;
  });
  const err = maxAbs(got, want);
  return { name: "custom autograd function (QuickGELU) matches finite differences", ok: err < 1e-8, detail: `max abs error ${err.toExponential(1)}` };
}

function autocastCheck(): Check {
  return tidy(() => {
    manualSeed(0);
    const a = randn([64, 64]);
    const b = randn([64, 64]);
    const ref = noGrad(() => a.matmul(b));
    const low = autocast({ dtype: "bf16" }, () => a.matmul(b));
    const rel = low.to("f32").sub(ref).norm().item() / ref.norm().item();
    const ok = low.dtype === "bf16" && rel < 0.02;
    return { name: "bf16 autocast runs matmul in bf16", ok, detail: `result dtype ${low.dtype}, relative error ${(rel * 100).toFixed(2)}% vs f32` };
  });
}

function memoryCheck(): Check {
  const before = liveTensors();
  tidy(() => {
    for (let i = 0; i < 100; i++) randn([16, 16]).exp().sum();
  });
  const after = liveTensors();
  return { name: "tidy() frees every intermediate", ok: after === before, detail: `${before} live tensors before, ${after} after 300 ops` };
}

export function runSelfcheck(o: { bench?: boolean } = {}): SelfcheckReport {
  const info = engineInfo();
  const checks: Check[] = [];
  for (const c of [matmulCheck, autogradCheck, customFunctionCheck, autocastCheck, memoryCheck]) {
    try {
      checks.push(c());
    } catch (err) {
      checks.push({ name: c.name, ok: false, detail: `threw ${(err as Error).message}` });
    }
  }
  const devices = ["cpu", ...Array.from({ length: info.cudaDevices }, (_, i) => `cuda:${i}`)];
  const blas = info.blas.libraries.map((p) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  });
  const report: SelfcheckReport = {
    torchVersion: info.torchVersion, threads: info.threads, devices, blas: [...new Set(blas)], checks, ok: checks.every((c) => c.ok),
  };
  if (o.bench ?? true) report.gflops = { fp32: timeMatmul(1024, "f32").gflops, bf16: timeMatmul(1024, "bf16").gflops };
  return report;
}
