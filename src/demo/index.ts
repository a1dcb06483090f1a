/**
 * `laclip demo`: CLIP and LaCLIP trained with the same budget and seed on emoji artwork from installed npm
 * packages, scored zero-shot on an art style held out from training. docs/demo.md explains the run and its
 * numbers; src/demo/data prepares the dataset.
 */
export { runDemo, type DemoLine, type DemoResult, type DemoSettings, type MethodResult } from "./run_demo.js";
export { DEFAULTS, DEMO_METHODS, checkOptions, type DemoMethod, type DemoOptions } from "./options.js";
export { formatSummary } from "./report.js";
export { planBudget, REFERENCE_GFLOPS, REFERENCE_OVERHEAD_SECONDS, type Budget, type BudgetInput } from "./budget.js";
export { demoModelConfig, demoPatchSize, DEMO_CONTEXT } from "./model.js";
export { chanceOf, chanceLevels, evaluateCheckpoint, type TaskChance, type TaskScore } from "./evaluate.js";
export { rewriteCaptions, readCsvCaptions, type DemoRewrites } from "./rewrite_step.js";
export { demoTokenizer, type DemoTokenizer } from "./tokenizer_step.js";
export { trainMethod, warmupSteps, DEMO_HYPER, type MethodRun, type MethodSetup } from "./train_method.js";
