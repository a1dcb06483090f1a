/**
 * The `llama` engine: llama.cpp in this process through node-llama-cpp, on a local GGUF file. One context holds
 * `sequences` sequences; each completion takes a free sequence, and node-llama-cpp evaluates the pending tokens of
 * all busy sequences together in one batch per step, so N concurrent completions cost far less than N in turn.
 * Prompts longer than the context allows are cut by tokens and ` =>` re-added, as the reference script did.
 */
import { getLlama, LlamaCompletion, LlamaLogLevel, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import type { CompletionRequest, CompletionResult, Engine, EngineStats } from "../engine.js";
import { EngineError } from "../engine_error.js";
import { llamaOptions, type LlamaEngineOptions } from "./options.js";

export { llamaOptionsFrom } from "./options.js";

interface Slot {
  sequence: LlamaContextSequence;
  completion: LlamaCompletion;
}

export interface LlamaEngine extends Engine {
  /** Context size per sequence actually created (llama.cpp may round it up). */
  readonly contextSize: number;
}

export async function createLlamaEngine(opts: Partial<LlamaEngineOptions> & { modelPath?: string }, cutMarker = " =>"): Promise<LlamaEngine> {
  const o = llamaOptions(opts);
  let llama: Llama | undefined;
  let model: LlamaModel;
  let context: LlamaContext;
  try {
    llama = await getLlama({ gpu: o.gpu, build: "never", logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: o.modelPath });
    context = await model.createContext({ sequences: o.sequences, contextSize: o.contextSize, threads: o.threads });
  } catch (err) {
    await llama?.dispose();
    throw new EngineError(`llama engine: cannot load ${o.modelPath}: ${(err as Error).message}`, false, { cause: err });
  }
  const free: Slot[] = Array.from({ length: o.sequences }, () => {
    const sequence = context.getSequence();
    return { sequence, completion: new LlamaCompletion({ contextSequence: sequence }) };
  });
  const waiting: ((s: Slot) => void)[] = [];
  const markerTokens = model.tokenize(cutMarker, false, "trimLeadingSpace");
  // room for BOS, one token of context-shift slack and the new tokens
  const promptBudget = context.contextSize - o.maxTokens - 2;
  const counters = { requests: 0, retries: 0, errors: 0, completions: 0, tokens: 0, promptTokens: 0, truncatedPrompts: 0, active: 0, maxActive: 0 };

  const acquire = (): Promise<Slot> => {
    const c = free.pop();
    return c ? Promise.resolve(c) : new Promise((resolve) => waiting.push(resolve));
  };
  const release = (c: Slot) => {
    const next = waiting.shift();
    if (next) next(c);
    else free.push(c);
  };

  function promptTokens(prompt: string): Token[] {
    const tokens = model.tokenize(prompt, false, "trimLeadingSpace");
    if (tokens.length <= promptBudget) return tokens;
    counters.truncatedPrompts++;
    return [...tokens.slice(0, promptBudget - markerTokens.length), ...markerTokens];
  }

  async function one(tokens: Token[], seed: number, signal?: AbortSignal): Promise<{ text: string; tokens: number }> {
    const slot = await acquire();
    counters.maxActive = Math.max(counters.maxActive, ++counters.active);
    // the sequence's own meter: onToken callbacks hold back partial UTF-8 tokens, so they undercount
    const before = slot.sequence.tokenMeter.usedOutputTokens;
    const inputBefore = slot.sequence.tokenMeter.usedInputTokens;
    try {
      const text = await slot.completion.generateCompletion(tokens, {
        maxTokens: o.maxTokens,
        temperature: o.temperature,
        topP: o.topP,
        topK: 0, // the paper samples with top-p alone
        seed,
        repeatPenalty: false,
        customStopTriggers: ["\n"],
        disableContextShift: true,
        contextShiftSize: 1,
        signal,
      });
      const generated = slot.sequence.tokenMeter.usedOutputTokens - before;
      counters.promptTokens += slot.sequence.tokenMeter.usedInputTokens - inputBefore;
      counters.completions++;
      counters.tokens += generated;
      return { text, tokens: generated };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      counters.errors++;
      throw new EngineError(`llama engine: generation failed: ${(err as Error).message}`, true, { cause: err });
    } finally {
      counters.active--;
      release(slot);
    }
  }

  return {
    name: "llama",
    contextSize: context.contextSize,
    async complete(req: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
      counters.requests++;
      const tokens = promptTokens(req.prompt);
      const parts = await Promise.all(req.seeds.map((seed) => one(tokens, seed, signal)));
      return { texts: parts.map((p) => p.text), tokens: parts.reduce((s, p) => s + p.tokens, 0) };
    },
    stats(): EngineStats {
      const { active: _active, ...rest } = counters;
      return { ...rest, sequences: o.sequences };
    },
    async close() {
      for (const s of free) s.completion.dispose();
      await context.dispose();
      await model.dispose();
      await llama!.dispose();
    },
  };
}
