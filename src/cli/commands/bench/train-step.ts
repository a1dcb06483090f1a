/**
 * `laclip bench train-step`: samples/s of one CLIP training step (the trainer's own step) on the PyTorch peer's
 * workload, with MFU against the matmul peak measured in the same process. `--peer` then runs
 * ../shared/bench/torch_clip_step.py with the same settings and prints its line and the ratio.
 * `--profile` (or LACLIP_PROFILE=1) prints the time per phase and per native op to stderr.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { ConfigError } from "../../../errors/config_error.js";
import { peerBenchOptions, round } from "./peer_options.js";

export const summary = "CLIP training-step samples/s and MFU (bench-s, fp32/bf16), optionally against the PyTorch peer";

const USAGE = `usage: laclip bench train-step [--config bench-s|PRESET|model.json] [--dtype fp32|bf16] [--batch 64]
                                 [--steps 10] [--warmup 2] [--threads 2] [--device cpu|cuda] [--peer] [--profile] [--json]`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", default: "bench-s" }, dtype: { type: "string", default: "fp32" }, batch: { type: "string", default: "64" },
      steps: { type: "string", default: "10" }, warmup: { type: "string", default: "2" }, threads: { type: "string", default: "2" },
      device: { type: "string", default: "cpu" }, peer: { type: "boolean", default: false }, profile: { type: "boolean", default: process.env.LACLIP_PROFILE === "1" },
      json: { type: "boolean", default: true }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { dtype, batch, steps, warmup, threads } = peerBenchOptions(values);
  const device = values.device;
  if (device !== "cpu" && device !== "cuda") throw new ConfigError(`--device must be cpu or cuda, got '${device}'`, "device");
  const { benchTrainStep, modelConfigOf, runTorchPeer } = await import("../../../train/trainer/index.js");
  const { engineInfo } = await import("../../../engine/index.js");
  const config = modelConfigOf(values.config);
  const r = await benchTrainStep({ config, dtype, batch, steps, warmup, threads, profile: values.profile, device });
  const ours = {
    bench: "train-step", engine: "laclip", torch: engineInfo().torchVersion, config: values.config, mode: "train", device, dtype, batch, threads: r.threads,
    steps, warmup, samples_per_s: round(r.samplesPerSec, 2), sec_per_step: round(r.secPerStep, 4), gflop_per_step: round(r.gflopPerStep, 3),
    achieved_gflops: round(r.achievedGflops, 2), peak_gflops_matmul1024: r.peakGflops, mfu: r.mfu === null ? null : round(r.mfu, 4), peak_gpu_bytes: r.peakGpuBytes,
    live_tensors: [r.liveTensorsBefore, r.liveTensorsAfter], load_avg: loadavg().map((x) => round(x, 2)),
  };
  console.log(JSON.stringify(ours));
  if (r.phases) printProfile(r, steps);
  if (values.peer) {
    const peer = await runTorchPeer(["--config", values.config, "--mode", "train", "--dtype", dtype, "--batch", String(batch), "--steps", String(steps), "--warmup", String(warmup), "--threads", String(threads), "--device", device]);
    console.log(JSON.stringify(peer));
    const theirs = Number(peer.samples_per_s);
    console.log(JSON.stringify({ bench: "train-step-ratio", config: values.config, dtype, batch, laclip_samples_per_s: ours.samples_per_s, pytorch_samples_per_s: theirs, ratio: round(r.samplesPerSec / theirs, 3), load_avg: loadavg().map((x) => round(x, 2)) }));
  }
  return 0;
}


function printProfile(r: Awaited<ReturnType<typeof import("../../../train/trainer/index.js").benchTrainStep>>, steps: number): void {
  const wall = r.secPerStep * 1000;
  const lines = [`profile: ${wall.toFixed(1)} ms/step wall`];
  for (const p of r.phases ?? []) lines.push(`  phase ${p.phase.padEnd(16)} ${(p.totalMs / steps).toFixed(1).padStart(8)} ms/step ${((100 * p.totalMs) / steps / wall).toFixed(1).padStart(5)}%`);
  const t = r.opTotals!;
  lines.push(`  native calls ${(t.calls / steps).toFixed(0)}/step taking ${(t.ms / steps).toFixed(1)} ms/step (${((100 * t.ms) / steps / wall).toFixed(1)}% of wall); tensors allocated ${(t.handles / steps).toFixed(0)}/step`);
  lines.push(`  JavaScript between native calls ~${((wall - t.ms / steps)).toFixed(1)} ms/step`);
  for (const op of (r.ops ?? []).slice(0, 15)) {
    lines.push(`  op ${op.op.padEnd(28)} ${(op.ms / steps).toFixed(2).padStart(8)} ms/step ${String(op.calls / steps).padStart(6)} calls/step`);
  }
  process.stderr.write(lines.join("\n") + "\n");
}
