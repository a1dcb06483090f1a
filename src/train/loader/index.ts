/**
 * The batching pipeline between TrainData (src/train/data) and the trainer: decode + augment in the worker
 * pool, text augmentation and tokenisation, bounded prefetch, data-wait measurement, bad-image replacement.
 */
export type { HostBatch, TrainBatch } from "./types.js";
export { TrainLoader, type LoaderOptions } from "./loader.js";
export { decodeBatch, type DecodeBatchOptions, type DecodedBatch } from "./decode_batch.js";
export { tokenizeBatch, type BatchTokenizer } from "./tokens.js";
export { textsPerSampleOf } from "./texts_per_sample.js";
