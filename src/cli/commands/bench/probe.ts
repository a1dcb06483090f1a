/**
 * `laclip bench probe`: rows/s of one linear-probe fit (Linear(D, C) + cross-entropy + AdamW, cosine lr) on
 * random features, and with `--peer` the same loop in PyTorch (scripts/torch_probe_peer.py, CLIP_benchmark's
 * training loop on CPU) with the same shape and threads in the same invocation, and the ratio. JSON lines.
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../../../util/project_root.js";
import { int, round } from "./peer_options.js";

export const summary = "linear-probe training rows/s (Linear + cross-entropy + AdamW on features), optionally against PyTorch";

const USAGE = `usage: laclip bench probe [--rows 50000] [--dim 512] [--classes 1000] [--epochs 1] [--batch 64] [--threads 2]
                            [--peer] [--peer-dataloader] [--json]`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: "string", default: "50000" }, dim: { type: "string", default: "512" }, classes: { type: "string", default: "1000" },
      epochs: { type: "string", default: "1" }, batch: { type: "string", default: "64" }, threads: { type: "string", default: "2" },
      peer: { type: "boolean", default: false }, "peer-dataloader": { type: "boolean", default: false }, json: { type: "boolean", default: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const shape = {
    rows: int(values.rows, "rows", 1), dim: int(values.dim, "dim", 1), classes: int(values.classes, "classes", 2),
    epochs: int(values.epochs, "epochs", 1), batch: int(values.batch, "batch", 1), threads: int(values.threads, "threads", 1),
  };
  const { benchProbe } = await import("../../../eval/bench_probe.js");
  const { engineInfo } = await import("../../../engine/index.js");
  const r = benchProbe(shape);
  const ours = {
    bench: "probe", engine: "laclip", torch: engineInfo().torchVersion, ...shape, threads: r.threads, steps: r.steps,
    seconds: round(r.seconds, 3), rows_per_s: round(r.rowsPerSec, 1), live_tensors: r.liveTensors, load_avg: loadavg().map((x) => round(x, 2)),
  };
  console.log(JSON.stringify(ours));
  if (values.peer) {
    const { runPeerScript } = await import("../../../train/trainer/index.js");
    const args = Object.entries(shape).flatMap(([k, v]) => [`--${k}`, String(v)]);
    const peer = await runPeerScript(join(projectRoot(), "scripts", "torch_probe_peer.py"), [...args, ...(values["peer-dataloader"] ? ["--dataloader"] : [])]);
    console.log(JSON.stringify(peer));
    const theirs = Number(peer.rows_per_s);
    console.log(JSON.stringify({ bench: "probe-ratio", ...shape, laclip_rows_per_s: ours.rows_per_s, pytorch_rows_per_s: theirs, pytorch_loader: peer.loader, ratio: round(r.rowsPerSec / theirs, 3), load_avg: loadavg().map((x) => round(x, 2)) }));
  }
  return 0;
}
