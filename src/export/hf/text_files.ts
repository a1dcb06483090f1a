/**
 * The text files of a Hugging Face CLIP folder: everything but the weights. The `hf` export writes them beside
 * `model.safetensors`; the `onnx` export (transformers.js layout) writes them beside `onnx/*.onnx`.
 *
 *   await writeHfTextFiles("out/", model.config, openaiClipMerges());
 *   // config.json tokenizer.json tokenizer_config.json special_tokens_map.json vocab.json merges.txt preprocessor_config.json
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeAll, writeFileAtomic } from "../../io/file/atomic_write.js";
import type { ClipConfig } from "../../models/clip/index.js";
import { BpeVocab, EOT_TOKEN, SOT_TOKEN, type MergeList } from "../../tokenizer/index.js";
import { hfConfigJson, hfPreprocessorJson } from "./config_json.js";
import { mergesText, tokenizerJson, vocabObject } from "./tokenizer_json.js";

/** The files `writeHfTextFiles` writes, in this order. */
export const HF_TEXT_FILES = [
  "config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
  "preprocessor_config.json",
] as const;

async function writeText(path: string, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  await writeFileAtomic(path, async (h) => void (await writeAll(h, bytes, 0)));
}

const json = (o: unknown): string => `${JSON.stringify(o, null, 2)}\n`;

/**
 * Writes the seven text files for a model of config `config` whose texts were tokenized with `merges` (the
 * model's tokenizer: OpenAI's CLIP merges or a learned file) into `dir` (created if missing), each atomically.
 * Returns their paths, in HF_TEXT_FILES order.
 */
export async function writeHfTextFiles(dir: string, config: ClipConfig, merges: MergeList): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const vocab = new BpeVocab(merges);
  const tokens = { bos_token: SOT_TOKEN, eos_token: EOT_TOKEN, unk_token: EOT_TOKEN, pad_token: EOT_TOKEN };
  const contents: Record<(typeof HF_TEXT_FILES)[number], string> = {
    "config.json": json(hfConfigJson(config, { bos: vocab.sot, eos: vocab.eot })),
    "tokenizer.json": json(tokenizerJson(merges)),
    "tokenizer_config.json": json({
      tokenizer_class: "CLIPTokenizer",
      processor_class: "CLIPProcessor",
      model_max_length: config.text.contextLength,
      do_lower_case: true,
      errors: "replace",
      add_prefix_space: false,
      clean_up_tokenization_spaces: false,
      ...tokens,
    }),
    "special_tokens_map.json": json(tokens),
    "vocab.json": json(vocabObject(vocab)),
    "merges.txt": mergesText(merges),
    "preprocessor_config.json": json(hfPreprocessorJson(config)),
  };
  const written: string[] = [];
  for (const name of HF_TEXT_FILES) {
    const path = join(dir, name);
    await writeText(path, contents[name]);
    written.push(path);
  }
  return written;
}
