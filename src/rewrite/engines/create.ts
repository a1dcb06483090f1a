/**
 * Picks and builds the engine named in the options. The openai and llama engines are imported on demand so that
 * `eda` runs never load node-llama-cpp.
 */
import { ConfigError } from "../../errors/config_error.js";
import { getTemplate } from "../prompt/templates.js";
import type { RewriterOptions } from "../types.js";
import { createEdaEngine } from "./eda_engine.js";
import type { Engine } from "./engine.js";

export async function createEngine(o: RewriterOptions): Promise<Engine> {
  switch (o.engine) {
    case "eda":
      return createEdaEngine();
    case "openai": {
      const { createOpenAIEngine, openAIOptionsFrom } = await import("./openai/engine.js");
      return createOpenAIEngine(openAIOptionsFrom(o));
    }
    case "llama": {
      const { createLlamaEngine, llamaOptionsFrom } = await import("./llama/engine.js");
      // the cut marker re-added to over-long prompts is the template's answer marker
      return createLlamaEngine(llamaOptionsFrom(o), getTemplate(o.template ?? "laclip")?.suffix);
    }
    default:
      throw new ConfigError(`unknown engine '${String(o.engine)}'; choose openai, llama or eda`, "engine");
  }
}
