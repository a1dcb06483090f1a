/** `laclip selfcheck`: checks the tensor engine on this machine and prints what it found; exit 1 if a check fails. */
import { parseArgs } from "node:util";

export const summary = "check the libtorch engine here: versions, threads, devices, correctness, GFLOP/s";

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: "boolean", default: false }, "no-bench": { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log("usage: laclip selfcheck [--json] [--no-bench]");
    return 0;
  }
  // Loaded here, not at the top: `laclip --help` reads every command's summary and must not load libtorch.
  const { runSelfcheck } = await import("../../engine/selfcheck.js");
  const r = runSelfcheck({ bench: !values["no-bench"] });
  if (values.json) {
    console.log(JSON.stringify(r));
  } else {
    console.log(`laclip engine: libtorch ${r.torchVersion}, ${r.threads} intra-op threads, devices: ${r.devices.join(", ")}`);
    console.log(`  BLAS: ${r.blas.join(", ") || "(none loaded)"}`);
    for (const c of r.checks) console.log(`  ${c.ok ? "ok  " : "FAIL"} ${c.name} (${c.detail})`);
    if (r.gflops) console.log(`  matmul 1024x1024: ${r.gflops.fp32} GFLOP/s fp32, ${r.gflops.bf16} GFLOP/s bf16`);
    console.log(r.ok ? "selfcheck passed" : "selfcheck FAILED");
  }
  return r.ok ? 0 : 1;
}
