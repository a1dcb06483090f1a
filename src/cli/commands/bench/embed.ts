/**
 * `laclip bench embed`: pairs/s through both CLIP towers for evaluation (noGrad, fp32 or bf16 autocast), and
 * with `--peer` the PyTorch peer's `--mode infer` on the same config, batch and threads in the same invocation,
 * and the ratio. Prints JSON lines. `--rounds N` alternates the two N times (laclip, PyTorch, laclip, ...) and
 * ends with the median of the per-round ratios: on a shared machine the load moves between runs, and
 * alternating lets both sides meet the same spells of load.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { intOption, oneOfOption } from "../../option_values.js";
import { peerBenchOptions, round } from "./peer_options.js";

export const summary = "image + text feature extraction pairs/s (vit-b16, fp32/bf16), optionally against the PyTorch peer";

const USAGE = `usage: laclip bench embed [--config vit-b16|bench-s|PRESET|model.json] [--dtype fp32|bf16] [--batch 16]
                            [--steps 5] [--warmup 1] [--threads 2] [--device cpu|cuda] [--peer] [--rounds 1]
                            [--json]`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", default: "vit-b16" }, dtype: { type: "string", default: "fp32" }, batch: { type: "string", default: "16" },
      steps: { type: "string", default: "5" }, warmup: { type: "string", default: "1" }, threads: { type: "string", default: "2" },
      device: { type: "string", default: "cpu" }, peer: { type: "boolean", default: false }, rounds: { type: "string", default: "1" }, json: { type: "boolean", default: true }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { dtype, batch, steps, warmup, threads } = peerBenchOptions(values);
  const device = oneOfOption(values.device, "device", ["cpu", "cuda"] as const)!;
  const { modelConfigOf, runTorchPeer } = await import("../../../train/trainer/index.js");
  const { benchEmbed } = await import("../../../eval/bench_embed.js");
  const { engineInfo } = await import("../../../engine/index.js");
  const rounds = intOption(values.rounds, "rounds", 1)!;
  const load = () => loadavg().map((x) => round(x, 2));
  const ratios: { ours: number; theirs: number; ratio: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = benchEmbed({ config: modelConfigOf(values.config), dtype, batch, steps, warmup, threads, device });
    const ours = {
      bench: "embed", engine: "laclip", torch: engineInfo().torchVersion, config: values.config, mode: "infer", device, dtype, batch, threads: r.threads, steps, warmup,
      pairs_per_s: round(r.pairsPerSec, 2), sec_per_step: round(r.secPerStep, 4), live_tensors: r.liveTensors, load_avg: load(), ...(rounds > 1 ? { round: i + 1 } : {}),
    };
    console.log(JSON.stringify(ours));
    if (!values.peer) continue;
    const peer = await runTorchPeer(["--config", values.config, "--mode", "infer", "--dtype", dtype, "--batch", String(batch), "--steps", String(steps), "--warmup", String(warmup), "--threads", String(threads)]);
    console.log(JSON.stringify(peer));
    const theirs = Number(peer.samples_per_s);
    ratios.push({ ours: r.pairsPerSec, theirs, ratio: r.pairsPerSec / theirs });
    console.log(JSON.stringify({ bench: "embed-ratio", config: values.config, dtype, batch, laclip_pairs_per_s: ours.pairs_per_s, pytorch_pairs_per_s: theirs, ratio: round(r.pairsPerSec / theirs, 3), load_avg: load(), ...(rounds > 1 ? { round: i + 1 } : {}) }));
  }
  if (ratios.length > 1) {
    console.log(JSON.stringify({
      bench: "embed-ratio-median", config: values.config, dtype, batch, threads, rounds, ratio: round(median(ratios.map((x) => x.ratio)), 3),
      ratios: ratios.map((x) => round(x.ratio, 3)), laclip_pairs_per_s: ratios.map((x) => round(x.ours, 2)), pytorch_pairs_per_s: ratios.map((x) => round(x.theirs, 2)), load_avg: load(),
    }));
  }
  return 0;
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
