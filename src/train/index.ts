/**
 * Training CLIP with language rewrites: configs, data, the loader, text augmentation, the schedule, logs and
 * the trainer. `train(await loadConfig({ file }))` runs a whole training job; docs/train.md explains it.
 */
export * from "./config/index.js";
export * from "./data/index.js";
export * from "./loader/index.js";
export * from "./log/index.js";
export * from "./trainer/index.js";
export * from "./schedule.js";
export * from "./text_aug.js";
