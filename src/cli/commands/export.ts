/**
 * `laclip export --checkpoint C --format FORMAT --out DIR`: a checkpoint as another toolkit's model folder
 * (docs/export.md). Only option parsing lives here (library: src/export/).
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../../errors/config_error.js";
import { exportCheckpoint, exportFormats } from "../../export/index.js";
import { CHECKPOINT_OPTIONS, CHECKPOINT_USAGE, checkpointChoice } from "../checkpoint_options.js";

export const summary = "export a checkpoint for open_clip, Hugging Face transformers or ONNX (docs/export.md)";

const usage = (): string => `usage: laclip export --checkpoint C --format ${exportFormats().join("|")} --out DIR [--model NAME|config.json] [--merges FILE]
  --format      open_clip: open_clip_model.safetensors + open_clip_config.json (open_clip's 'local-dir:DIR')
                hf: a transformers CLIPModel folder (model.safetensors, config.json, tokenizer and processor files)
                onnx: transformers.js's layout (hf text files + onnx/{model,text_model,vision_model}[_quantized].onnx); laclip serve DIR shows it
  --out         the folder to write (created if missing; files in it of the same names are replaced)
  --merges      the BPE merges the model was trained with (default: the file a training checkpoint's
                trainer.json records, else $LACLIP_BPE, else OpenAI's CLIP vocabulary)
${CHECKPOINT_USAGE}`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...CHECKPOINT_OPTIONS, format: { type: "string" }, out: { type: "string" }, merges: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${usage()}`, "argv", { cause: err });
  }
  if (values.help) {
    console.log(usage());
    return 0;
  }
  const choice = checkpointChoice(values, usage());
  if (values.format === undefined) throw new ConfigError(`give --format ${exportFormats().join("|")}\n${usage()}`, "format");
  if (values.out === undefined || values.out === "") throw new ConfigError(`give --out DIR\n${usage()}`, "out");
  const result = await exportCheckpoint({
    ...choice, format: values.format, out: values.out, merges: values.merges, log: (line) => console.error(`laclip export: ${line}`),
  });
  for (const n of result.notes) console.error(`laclip export: checkpoint: ${n}`);
  console.log(JSON.stringify(result));
  return 0;
}
