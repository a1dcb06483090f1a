/**
 * `laclip export --format hf`: a transformers CLIPModel folder, `CLIPModel.from_pretrained(DIR)` and
 * `CLIPProcessor.from_pretrained(DIR)`: model.safetensors (hf/weights.ts) and the text files (hf/text_files.ts).
 * Models transformers cannot express (qk-norm, no ln_pre) fail in one line naming why; `--format onnx` takes them.
 */
import { join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";
import { writeSafetensors } from "../../io/safetensors/writer.js";
import type { ExportContext } from "../context.js";
import { hfUnsupported } from "./config_json.js";
import { writeHfTextFiles } from "./text_files.js";
import { hfStateDict } from "./weights.js";

export const HF_WEIGHTS = "model.safetensors";

export async function exportHf(ctx: ExportContext): Promise<string[]> {
  const bad = hfUnsupported(ctx.config);
  if (bad.length > 0) {
    throw new ConfigError(`transformers' CLIPModel cannot represent this model: ${bad.join("; ")}. Export it with --format onnx or open_clip instead`, "format");
  }
  const weights = join(ctx.out, HF_WEIGHTS);
  await writeSafetensors(weights, hfStateDict(ctx.model.hostStateDict(), ctx.config), { metadata: { format: "pt" } });
  return [weights, ...(await writeHfTextFiles(ctx.out, ctx.config, ctx.merges))];
}
