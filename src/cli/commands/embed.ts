/**
 * `laclip embed --checkpoint X [--images DIR] [--texts FILE] --out F`: L2-normalised embeddings of image files
 * and/or text lines with a checkpoint of either layout, written as safetensors (format: docs/models.md).
 */
import { checkOutputFile } from "../output.js";
import { ConfigError } from "../../errors/config_error.js";
import type { Resampler } from "../../image/index.js";
import { embedToFile } from "../../models/clip/embed.js";
import { CHECKPOINT_OPTIONS, CHECKPOINT_USAGE, checkpointChoice } from "../checkpoint_options.js";
import { intOption as int } from "../option_values.js";
import { parseCommandArgs } from "../parse_command_args.js";

export const summary = "write L2-normalised image and/or text embeddings of a checkpoint (either layout) to safetensors";

const USAGE = `usage: laclip embed --checkpoint X [--model NAME|config.json] [--images DIR] [--texts FILE] --out F.safetensors
                    [--batch 64] [--merges FILE] [--resampler libvips|pillow] [--vision-heads N ...]
${CHECKPOINT_USAGE}
  --images      directory searched recursively for .jpg/.jpeg/.png/.webp/.gif/.tif/.tiff/.heic/.heif files
  --texts       text file, one text per line
  --merges      CLIP BPE merges file for --texts (default $LACLIP_BPE, else OpenAI's CLIP vocabulary, shipped)`;

const STRING = { type: "string" } as const;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: {
      ...CHECKPOINT_OPTIONS, images: STRING, texts: STRING, out: STRING, batch: STRING, merges: STRING, resampler: STRING,
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const choice = checkpointChoice(values, USAGE);
  if (values.out === undefined) throw new ConfigError(`give --out FILE.safetensors\n${USAGE}`, "out");
  checkOutputFile(values.out, "--out");
  const resampler = values.resampler;
  if (resampler !== undefined && resampler !== "libvips" && resampler !== "pillow") {
    throw new ConfigError(`--resampler must be libvips or pillow, got '${resampler}'`, "resampler");
  }
  const result = await embedToFile({
    ...choice, images: values.images, texts: values.texts, out: values.out,
    batch: int(values.batch, "batch", 1), merges: values.merges, resampler: resampler as Resampler | undefined,
  });
  console.log(JSON.stringify({ out: values.out, ...result }));
  return 0;
}
