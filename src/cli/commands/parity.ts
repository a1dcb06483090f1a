/**
 * `laclip parity [DIR...] [--merges FILE]`: the parity suite against PyTorch fixtures. Prints one JSON line per
 * family and quantity ({dir, family, quantity, n, maxAbsErr, maxRelErr, atol, rtol, ok, detail}); exit status
 * 1 when any is out of tolerance, 2 when no directory could be checked at all.
 */
import type { Device } from "../../engine/index.js";
import { ConfigError } from "../../errors/config_error.js";
import { defaultParityDirs, formatResult, runParity } from "../../parity/index.js";
import { parseCommandArgs } from "../parse_command_args.js";

export const summary = "check the models and tokenizer against PyTorch parity fixtures (one JSON line per quantity)";

const USAGE = `usage: laclip parity [DIR...] [--merges FILE] [--device cpu|cuda|cuda:N] [--numbers-only]
  DIR      parity directories (default: $LACLIP_PARITY_DIRS, colon-separated, else ../shared/reference/parity)
  --merges BPE merges file for the token checks (default: $LACLIP_BPE, else DIR/../bpe_simple_vocab_16e6.txt.gz)
  --device where the forward, losses and gradients run (default cpu; on CUDA, TF32 is turned off: fp32 as the
           fixtures, within the same tolerances)
  --numbers-only  only embeddings, logit scale, losses and gradients (skips reading checkpoint.pt)`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { merges: { type: "string" }, device: { type: "string" }, "numbers-only": { type: "boolean" }, help: { type: "boolean", short: "h" } },
  }, USAGE);
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const device = parsed.values.device ?? "cpu";
  if (!/^(cpu|cuda(:\d+)?)$/.test(device)) throw new ConfigError(`--device must be cpu, cuda or cuda:N, got '${device}'`, "device");
  if (device !== "cpu") {
    const { checkDevice, setAllowTf32 } = await import("../../engine/index.js");
    checkDevice(device, "parity");
    setAllowTf32(false);
  }
  const dirs = parsed.positionals.length > 0 ? parsed.positionals : defaultParityDirs();
  let missing = 0;
  const results = await runParity(dirs, {
    merges: parsed.values.merges,
    device: device as Device,
    numbersOnly: parsed.values["numbers-only"] ?? false,
    onResult: (r) => console.log(formatResult(r)),
    onMissing: (dir) => {
      missing++;
      console.log(JSON.stringify({ dir, ok: null, skipped: `no such directory: ${dir}` }));
    },
  });
  if (results.some((r) => !r.ok)) return 1;
  if (results.length === 0) {
    console.error(`laclip parity: nothing was checked (${missing} director${missing === 1 ? "y" : "ies"} missing)`);
    return 2;
  }
  return 0;
}
