/**
 * Neural-network layers with PyTorch's parameter names, state-dict keys and initialisations.
 *
 *   const mlp = new Sequential(new Linear(16, 64), new GELU(), new Linear(64, 4));
 *   mlp.stateDict().keys();   // "0.weight", "0.bias", "2.weight", "2.bias"
 *   mlp.loadStateDict((await readSafetensors(path)).tensors);
 */
export { Module } from "./module.js";
export type { StateDictSource, LoadStateDictOptions, LoadResult } from "./state_dict.js";
export { StateDictError, type MismatchedKey, type StateDictProblems } from "./errors/state_dict_error.js";
export type { FactoryOptions, UnaryModule } from "./factory.js";
export { Linear, type LinearOptions } from "./linear.js";
export { Conv2d, type Conv2dLayerOptions } from "./conv2d.js";
export { LayerNorm, type LayerNormOptions } from "./layer_norm.js";
export { Embedding, type EmbeddingOptions } from "./embedding.js";
export { GELU, QuickGELU, Dropout } from "./activation.js";
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionCallOptions } from "./multihead_attention.js";
export { ModuleList, Sequential } from "./containers.js";
export * as init from "./init.js";
