/**
 * `laclip tokenizer train|encode|decode`: learn a CLIP-format merges file from caption files, or use one.
 * Each output is JSON, one line per result.
 */
import { createInterface } from "node:readline";
import type { ParseArgsConfig } from "node:util";
import { ConfigError } from "../../errors/config_error.js";
import { UsageError } from "../../errors/usage_error.js";
import type { ClipTokenizer } from "../../tokenizer/clip_tokenizer.js";
import { openTokenizerFile } from "../../tokenizer/default_merges.js";
import { writeMergesFile } from "../../tokenizer/merges_file.js";
import { readLines } from "../../tokenizer/train/read_lines.js";
import { trainBpe, type TrainBpeOptions } from "../../tokenizer/train/train_bpe.js";
import { intOption as int } from "../option_values.js";
import { parseCommandArgs } from "../parse_command_args.js";

export const summary = "train a CLIP BPE merges file from captions (train), or encode/decode text with one";

const USAGE = `usage:
  laclip tokenizer train --input captions.txt [--input more.txt.gz] (--merges N | --vocab-size V)
                         [--min-frequency 2] --out merges.txt[.gz]
  laclip tokenizer encode [--merges FILE] [--context 77] [--max-merges N] [TEXT...]   (no TEXT: stdin lines)
  laclip tokenizer decode [--merges FILE] [--max-merges N] '[49406, 320, 1929, 49407]'...
  encode/decode use OpenAI's CLIP vocabulary (shipped) unless --merges FILE or LACLIP_BPE names another.`;

type Options = NonNullable<ParseArgsConfig["options"]>;

function parse(argv: string[], options: Options) {
  return parseCommandArgs({ args: argv, options, allowPositionals: true, strict: true }, USAGE);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

async function* allLines(paths: string[]): AsyncGenerator<string> {
  for (const p of paths) yield* readLines(p);
}

const TRAIN_FLAGS: Record<string, string> = { numMerges: "--merges", vocabSize: "--vocab-size", minFrequency: "--min-frequency" };

async function train(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    input: { type: "string", multiple: true },
    merges: { type: "string" },
    "vocab-size": { type: "string" },
    "min-frequency": { type: "string" },
    out: { type: "string" },
  });
  const inputs = (values.input as string[] | undefined) ?? [];
  const out = str(values.out);
  if (inputs.length === 0) throw new ConfigError("give at least one --input caption file (one caption per line)", "input");
  if (out === undefined) throw new ConfigError("give --out PATH for the merges file (.gz to compress)", "out");
  const options: TrainBpeOptions = {
    numMerges: int(str(values.merges), "merges", 0),
    vocabSize: int(str(values["vocab-size"]), "vocab-size", 514),
    minFrequency: int(str(values["min-frequency"]), "min-frequency", 1),
  };
  if ((options.numMerges === undefined) === (options.vocabSize === undefined)) throw new UsageError("give exactly one of --merges N and --vocab-size V", "merges");
  const started = performance.now();
  const result = await trainBpe(allLines(inputs), options).catch((err: unknown) => {
    // the library names its option fields; say the flags instead
    const flag = err instanceof ConfigError && err.key !== undefined ? TRAIN_FLAGS[err.key] : undefined;
    if (flag === undefined) throw err;
    throw new UsageError((err as ConfigError).message.replaceAll((err as ConfigError).key!, flag), flag, { cause: err });
  });
  writeMergesFile(out, result);
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ out, vocabSize: result.merges.length + 514, ...result.stats, seconds: +seconds.toFixed(3) }));
  return 0;
}

function load(values: Record<string, unknown>): ClipTokenizer {
  return openTokenizerFile(str(values.merges), {
    contextLength: int(str(values.context), "context", 2),
    maxMerges: int(str(values["max-merges"]), "max-merges", 0),
  });
}

async function encode(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    merges: { type: "string" },
    context: { type: "string" },
    "max-merges": { type: "string" },
  });
  const tok = load(values);
  const texts = positionals.length > 0 ? positionals : createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const text of texts) console.log(JSON.stringify(Array.from(tok.encode(text))));
  return 0;
}

async function decode(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { merges: { type: "string" }, "max-merges": { type: "string" } });
  const tok = load(values);
  for (const arg of positionals) {
    let ids: unknown;
    try {
      ids = JSON.parse(arg);
    } catch (err) {
      throw new ConfigError(`expected a JSON array of token ids, got '${arg.slice(0, 40)}'`, "ids", { cause: err });
    }
    if (!Array.isArray(ids)) throw new ConfigError(`expected a JSON array of token ids, got '${arg.slice(0, 40)}'`, "ids");
    console.log(JSON.stringify(tok.decode(ids as number[])));
  }
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "train") return train(rest);
  if (sub === "encode") return encode(rest);
  if (sub === "decode") return decode(rest);
  console.log(USAGE);
  return sub === "--help" || sub === "-h" ? 0 : 2;
}
