/** The `eda` engine: rule-based rewrites that need nothing but `npm ci` (see eda.ts for how weak they are). */
import { edaRewrite, type EdaOptions } from "./eda.js";
import type { CompletionRequest, CompletionResult, Engine, EngineStats } from "./engine.js";
import { WordNet } from "./wordnet.js";

export function createEdaEngine(o: EdaOptions = {}, wordnet: WordNet = new WordNet()): Engine {
  let requests = 0;
  return {
    name: "eda",
    async complete(req: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
      signal?.throwIfAborted();
      requests++;
      return { texts: req.seeds.map((seed) => edaRewrite(req.caption, seed, wordnet, o)), tokens: 0 };
    },
    stats(): EngineStats {
      return { requests, retries: 0, errors: 0 };
    },
    async close() {
      wordnet.close();
    },
  };
}
