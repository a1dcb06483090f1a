/** Settings of the llama engine, and their translation from the rewriter's options. */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { ConfigError } from "../../../errors/config_error.js";
import type { RewriterOptions } from "../../types.js";

export interface LlamaEngineOptions {
  modelPath: string;
  /**
   * Sequences of one context decoded together in one batch. Default 4: on this 2-core CPU the generated tiny
   * model peaks there (`laclip bench llama-batch`); on a GPU with a 7B model more sequences pay off.
   */
  sequences: number;
  /** Context size per sequence, in tokens. Default 1024 (the paper's prompts are ~150-400 tokens). */
  contextSize: number;
  /** CPU threads for decoding. Default: every core (fewer if other work shares the machine). */
  threads: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  /** Offload to a GPU when node-llama-cpp has a binary for it ("auto"), or stay on the CPU (false, default). */
  gpu: "auto" | false;
}

export function llamaOptions(o: Partial<LlamaEngineOptions> & { modelPath?: string }): LlamaEngineOptions {
  if (!o.modelPath) throw new ConfigError("the llama engine needs a GGUF model file (--model-path FILE)", "modelPath");
  if (!existsSync(o.modelPath)) throw new ConfigError(`GGUF model file ${o.modelPath} does not exist`, "modelPath");
  const r: LlamaEngineOptions = { sequences: 4, contextSize: 1024, threads: availableParallelism(), temperature: 0.9, topP: 0.95, maxTokens: 77, gpu: false, ...o, modelPath: o.modelPath };
  for (const key of ["sequences", "contextSize", "threads", "maxTokens"] as const) {
    if (!Number.isInteger(r[key]) || r[key] < 1) throw new ConfigError(`${key} must be a positive integer, got ${r[key]}`, key);
  }
  if (r.contextSize <= r.maxTokens + 8) throw new ConfigError(`contextSize ${r.contextSize} leaves no room for a prompt before ${r.maxTokens} new tokens`, "contextSize");
  return r;
}

export function llamaOptionsFrom(o: RewriterOptions): LlamaEngineOptions {
  const given: Partial<LlamaEngineOptions> = { modelPath: o.modelPath };
  if (o.batchSize !== undefined) given.sequences = o.batchSize;
  if (o.threads !== undefined) given.threads = o.threads;
  if (o.contextSize !== undefined) given.contextSize = o.contextSize;
  if (o.temperature !== undefined) given.temperature = o.temperature;
  if (o.topP !== undefined) given.topP = o.topP;
  if (o.maxTokens !== undefined) given.maxTokens = o.maxTokens;
  return llamaOptions(given);
}
