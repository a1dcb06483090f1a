/**
 * The `prepare` step of the demo as a command module (`summary` + `run(argv)`, the CLI's shape), for the demo
 * command to mount as `laclip demo prepare`: parses options and calls `prepareDemoData`. Prints one JSON line
 * (paths and counts) on stdout; the summary goes to stderr.
 */
import { ConfigError } from "../../errors/config_error.js";
import { checkBackground } from "./background.js";
import { prepareDemoData } from "./prepare.js";
import { parseCommandArgs } from "../../cli/parse_command_args.js";

export const summary = "build the demo's emoji dataset (training CSV, held-out zero-shot sets) from installed packages";

const USAGE = `usage: laclip demo prepare --work-dir DIR [--train-styles twemoji,noto,openmoji] [--eval-styles fluent-emoji-flat]
                           [--size 32] [--seed 0] [--max-emoji N] [--background white|random|#rrggbb]
                           [--caption-keywords] [--skin-tones] [--keep-duplicate-glyphs] [--concurrency 4]
  styles are @iconify-json set names (any installed emoji set); a style cannot be both trained and held out`;

const STRING = { type: "string" } as const;
const FLAG = { type: "boolean" } as const;

function int(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new ConfigError(`--${key} must be a non-negative integer, got '${v}'`, key);
  return Number(v);
}

function list(v: string | undefined, fallback: string[]): string[] {
  return v === undefined ? fallback : v.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: {
      "work-dir": STRING, "train-styles": STRING, "eval-styles": STRING, size: STRING, seed: STRING, "max-emoji": STRING,
      background: STRING, "caption-keywords": FLAG, "skin-tones": FLAG, "keep-duplicate-glyphs": FLAG, concurrency: STRING,
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values["work-dir"] === undefined) throw new ConfigError(`give --work-dir DIR\n${USAGE}`, "work-dir");
  const maxEmoji = int(values["max-emoji"], "max-emoji");
  const concurrency = int(values.concurrency, "concurrency");
  const r = await prepareDemoData({
    workDir: values["work-dir"],
    trainStyles: list(values["train-styles"], ["twemoji", "noto", "openmoji"]),
    evalStyles: list(values["eval-styles"], ["fluent-emoji-flat"]),
    size: int(values.size, "size"),
    seed: int(values.seed, "seed"),
    ...(maxEmoji !== undefined ? { maxEmoji } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    background: checkBackground(values.background ?? "white"),
    captionKeywords: values["caption-keywords"] ?? false,
    includeSkinTones: values["skin-tones"] ?? false,
    keepDuplicateGlyphs: values["keep-duplicate-glyphs"] ?? false,
  });
  const evalSets = Object.fromEntries(Object.entries(r.evalSets).map(([k, s]) => [k, { images: s.images, classes: s.classNamesFile, labels: s.labelsCsv, count: s.count }]));
  console.log(JSON.stringify({ train_csv: r.trainCsv, templates: r.templatesFile, manifest: r.manifestFile, eval_sets: evalSets, counts: r.counts }));
  return 0;
}
