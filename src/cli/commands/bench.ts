/**
 * `laclip bench <what>`: each benchmark lives in `bench/<what>.ts` and exports `run(argv)` like a command.
 * Results are printed as JSON lines; BENCHMARKS.md records the commands and what they printed.
 */
import { ConfigError } from "../../errors/config_error.js";
import type { CommandModule } from "../main.js";

const BENCHES = ["matmul", "tokenizer", "rewrite-client", "llama-batch", "train-step", "loader", "embed", "probe"] as const;

export const summary = `throughput benchmarks (${BENCHES.join(", ")})`;

export async function run(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === undefined || what === "--help") {
    console.log(`usage: laclip bench <${BENCHES.join("|")}> [options]`);
    return what === undefined ? 2 : 0;
  }
  if (!(BENCHES as readonly string[]).includes(what)) {
    throw new ConfigError(`unknown benchmark '${what}'; choose one of ${BENCHES.join(", ")}`, "bench");
  }
  const mod = (await import(`./bench/${what}.js`)) as CommandModule;
  return mod.run(rest);
}
