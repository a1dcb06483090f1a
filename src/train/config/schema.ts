/**
 * Every key of `TrainConfig`: its type and range, its default, and what it means. The defaults, the
 * validation, the override parsing and the commented printout are all derived from this one table.
 */
export type FieldType =
  | { t: "string"; nonEmpty?: boolean }
  | { t: "int"; min?: number }
  | { t: "number"; min?: number; max?: number; above?: number; below?: number }
  | { t: "bool" }
  | { t: "enum"; values: readonly string[] }
  | { t: "strings" }
  | { t: "pair"; above?: number }
  | { t: "weights" };

export interface Field {
  key: string;
  type: FieldType;
  nullable?: boolean;
  default: unknown;
  doc: string;
}

const f = (key: string, type: FieldType, def: unknown, doc: string, nullable = false): Field => ({ key, type, default: def, doc, nullable });

export const SECTION_DOCS: Record<string, string> = {
  model: "which CLIP to train",
  data: "training data (see src/train/data for the formats)",
  text: "text augmentation",
  optim: "AdamW and the learning-rate schedule",
  train: "run length, batch and precision",
  checkpoint: "checkpoints and resuming",
  eval: "zero-shot evaluation after each epoch (skipped unless class names, templates and images are all set)",
  log: "metrics and progress",
};

export const FIELDS: readonly Field[] = [
  f("model.name", { t: "string", nonEmpty: true }, "vit-b16", "model preset: vit-b16 (LaCLIP's CC3M/CC12M/RedCaps ViT-B/16 layout), bench-s (CPU-sized), ..."),
  f("model.init", { t: "string" }, null, "checkpoint to initialise weights from (a fresh run, not a resume)", true),

  f("data.format", { t: "enum", values: ["csv", "jsonl", "wds"] }, "csv", "csv: LaCLIP's image,caption CSV + rewrite files; jsonl: laclip rewrite output; wds: WebDataset shards"),
  f("data.train", { t: "string" }, "", "CSV path, rewrite JSONL path, or shard pattern(s) like data/{00000..00099}.tar (:: joins several)"),
  f("data.image_root", { t: "string" }, null, "folder image paths are relative to (csv default: the CSV's folder; required for jsonl)", true),
  f("data.rewrites", { t: "strings" }, [], "csv: rewrite files, one line per CSV sample row, in the order their texts follow the original"),
  f("data.rewrite_sources", { t: "strings" }, null, "csv: a source name per rewrite file (default: file names without extension); jsonl: the sources to use, in order (default: all)", true),
  f("data.csv_header", { t: "enum", values: ["auto", "yes", "no"] }, "auto", "csv: auto = LaCLIP's rule (rows whose path has no image extension are not samples); yes = also always skip row 1"),
  f("data.image_extensions", { t: "strings" }, [".png", ".jpg", ".jpeg"], "csv: a row is a sample when its path ends with one of these (LaCLIP's list; [] = every row)"),
  f("data.csv_separator", { t: "enum", values: ["auto", "tab", "comma"] }, "auto", "csv: field separator; auto = tab when the first line has one (open_clip's default), else comma"),
  f("data.csv_img_key", { t: "string" }, null, "csv: header name of the image column (open_clip's --csv-img-key, default filepath); set = the first row is a header", true),
  f("data.csv_caption_key", { t: "string" }, null, "csv: header name of the caption column (open_clip's --csv-caption-key, default title); set = the first row is a header", true),
  f("data.image_template", { t: "string" }, null, "jsonl: image path pattern with {id}, e.g. images/{id}.jpg (default: probe {id}.jpg/.jpeg/.png/.webp)", true),
  f("data.json_text_keys", { t: "strings" }, ["rewrite_*"], "wds: .json keys holding rewrites (dotted paths; a trailing * matches a key prefix)"),
  f("data.shuffle_buffer", { t: "int", min: 0 }, 10000, "wds: samples in the shuffle buffer (0 or 1: no buffer shuffling)"),
  f("data.tail", { t: "enum", values: ["drop", "pad"] }, "drop", "csv/jsonl: drop the samples that cannot fill a last global batch, or pad by wrapping around"),
  f("data.index_stride", { t: "int", min: 1 }, 8, "csv/jsonl: rows per stored file offset (index memory: 8/stride bytes per row per file)"),
  f("data.check_images", { t: "bool" }, true, "csv/jsonl: check that each image file exists when its row is read"),
  f("data.sync_reads", { t: "bool" }, true, "csv/jsonl: blocking reads of text rows (~3x faster from the page cache; false for network storage)"),
  f("data.workers", { t: "int", min: 0 }, 2, "image decode/augment worker threads per process"),
  f("data.crop_scale", { t: "pair", above: 0 }, [0.5, 1], "RandomResizedCrop area scale range (LaCLIP: 0.5..1)"),
  f("data.crop_ratio", { t: "pair", above: 0 }, [3 / 4, 4 / 3], "RandomResizedCrop aspect-ratio range"),

  f("text.augment", { t: "enum", values: ["clip", "laclip", "laclip-mt"] }, "laclip", "clip: original only; laclip: one of original+rewrites uniformly; laclip-mt: all texts, multi-text loss"),
  f("text.source_weights", { t: "weights" }, null, "laclip: per-source draw weights, e.g. {original: 2, chatgpt: 1} (unlisted sources weigh 1)", true),

  f("optim.lr", { t: "number", above: 0 }, 1e-3, "peak learning rate"),
  f("optim.lr_start", { t: "number", min: 0 }, 1e-6, "learning rate at the first warmup step"),
  f("optim.lr_end", { t: "number", min: 0 }, 1e-5, "learning rate the cosine decays towards"),
  f("optim.warmup_epochs", { t: "number", min: 0 }, 1, "linear warmup length in epochs"),
  f("optim.warmup_steps", { t: "int", min: 0 }, null, "warmup length in optimizer steps; overrides warmup_epochs when set", true),
  f("optim.weight_decay", { t: "number", min: 0 }, 0.5, "AdamW weight decay on >= 2-D non-norm weights"),
  f("optim.betas", { t: "pair", above: 0 }, [0.9, 0.98], "AdamW betas"),
  f("optim.eps", { t: "number", above: 0 }, 1e-8, "AdamW epsilon"),
  f("optim.grad_clip", { t: "number", above: 0 }, null, "clip the global gradient norm to this (null: no clipping, as LaCLIP)", true),
  f("optim.decay_rule", { t: "enum", values: ["peer", "laclip"] }, "peer", "which names get no decay: peer (>=2-D, no 'norm'/'ln') or laclip (>=2-D, no 'bias'/'ln'/'bn')"),

  f("train.epochs", { t: "int", min: 1 }, 35, "epochs"),
  f("train.batch_size", { t: "int", min: 1 }, 256, "samples per rank per forward pass"),
  f("train.global_batch", { t: "int", min: 1 }, null, "samples per optimizer step over all ranks; sets grad_accum = global / (batch_size * ranks)", true),
  f("train.grad_accum", { t: "int", min: 1 }, null, "forward passes per optimizer step (default 1, or derived from global_batch)", true),
  f("train.dtype", { t: "enum", values: ["fp32", "bf16"] }, "bf16", "fp32, or bf16 autocast (mixed precision)"),
  f("train.seed", { t: "int", min: 0 }, 0, "seed of the initial weights, data order, crops and text draws"),

  f("checkpoint.output_dir", { t: "string", nonEmpty: true }, "runs/laclip", "where checkpoints, the saved config, metrics.jsonl and TensorBoard files go"),
  f("checkpoint.every_steps", { t: "int", min: 0 }, 1000, "checkpoint every N optimizer steps (0: only at the end of each epoch)"),
  f("checkpoint.resume", { t: "string", nonEmpty: true }, "auto", "auto: continue from the output dir's last checkpoint if any; never; or a checkpoint path"),

  f("eval.class_names", { t: "string" }, null, "JSON list of class names (or a text file, one per line)", true),
  f("eval.templates", { t: "string" }, null, "JSON list of prompt templates with {} (or a text file, one per line)", true),
  f("eval.images", { t: "string" }, null, "image folder with one subfolder per class, in class-name order", true),
  f("eval.batch_size", { t: "int", min: 1 }, 256, "evaluation batch size"),
  f("eval.every_epochs", { t: "int", min: 1 }, 1, "evaluate every N epochs"),

  f("log.every_steps", { t: "int", min: 1 }, 10, "write a metrics line every N optimizer steps"),
  f("log.tensorboard", { t: "bool" }, true, "also write TensorBoard event files (output_dir/tb)"),
  f("log.progress", { t: "enum", values: ["auto", "bar", "lines", "none"] }, "auto", "auto: a progress bar on a terminal, plain lines otherwise"),
];

export const FIELD_BY_KEY: ReadonlyMap<string, Field> = new Map(FIELDS.map((x) => [x.key, x]));
