/**
 * The training configuration. Keys are snake_case so that a config file, a `--set section.key=value` override
 * and the printed config all use the same names. Defaults and the documentation of every key are in schema.ts.
 */
import type { TextAugmentation } from "../text_aug.js";
import type { DecayRule } from "../schedule.js";

export interface TrainConfig {
  model: {
    /** Model preset name (e.g. `vit-b16`, LaCLIP's CC3M/CC12M/RedCaps layout; `bench-s`, small enough for CPU). */
    name: string;
    /** Checkpoint to initialise the weights from (not a resume: step and optimizer start fresh). */
    init: string | null;
  };
  data: {
    format: "csv" | "jsonl" | "wds";
    /** CSV file, rewrite JSONL file, or WebDataset shard pattern(s) (`a/{00000..00099}.tar`, `::`-joined). */
    train: string;
    image_root: string | null;
    rewrites: string[];
    rewrite_sources: string[] | null;
    csv_header: "auto" | "yes" | "no";
    image_extensions: string[];
    csv_separator: "auto" | "tab" | "comma";
    csv_img_key: string | null;
    csv_caption_key: string | null;
    image_template: string | null;
    json_text_keys: string[];
    shuffle_buffer: number;
    tail: "drop" | "pad";
    index_stride: number;
    check_images: boolean;
    sync_reads: boolean;
    workers: number;
    crop_scale: [number, number];
    crop_ratio: [number, number];
  };
  text: {
    augment: TextAugmentation;
    source_weights: Record<string, number> | null;
  };
  optim: {
    lr: number;
    lr_start: number;
    lr_end: number;
    warmup_epochs: number;
    warmup_steps: number | null;
    weight_decay: number;
    betas: [number, number];
    eps: number;
    grad_clip: number | null;
    decay_rule: DecayRule;
  };
  train: {
    epochs: number;
    batch_size: number;
    global_batch: number | null;
    grad_accum: number | null;
    dtype: "fp32" | "bf16";
    seed: number;
  };
  checkpoint: {
    output_dir: string;
    every_steps: number;
    resume: string;
  };
  eval: {
    class_names: string | null;
    templates: string | null;
    images: string | null;
    batch_size: number;
    every_epochs: number;
  };
  log: {
    every_steps: number;
    tensorboard: boolean;
    progress: "auto" | "bar" | "lines" | "none";
  };
}
