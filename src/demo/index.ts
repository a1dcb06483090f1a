/**
 * `laclip demo`: CLIP and LaCLIP trained with the same budget and seed on emoji artwork from installed npm
 * packages, scored zero-shot on an art style held out from training. docs/demo.md explains the run and its
 * numbers; src/demo/data prepares the dataset.
 */
export { runDemo, DATA_SEED, INTERVAL, type DemoLine, type DemoResult, type DemoSettings, type MethodResult } from "./run_demo.js";
export { DEFAULTS, DEMO_METHODS, checkOptions, type DemoMethod, type DemoOptions } from "./options.js";
export { formatSummary, taskLabel } from "./report.js";
export { planBudget, REFERENCE_GFLOPS, REFERENCE_OVERHEAD_SECONDS, type Budget, type BudgetInput } from "./budget.js";
export { demoModelConfig, demoPatchSize, DEMO_CONTEXT } from "./model.js";
export { chanceOf, evaluateCheckpoint, fewShotClasses, openHeldOut, probeSplit, samplePictures, FEW_SHOT, HELD_OUT_SEED, topK, zeroShotScores, PROMPT_SETS, type HeldOut, type ModelEvaluation, type TaskChance } from "./evaluate.js";
export { pairedInterval, tInterval, tQuantile975, type MeanInterval, type PairedInterval } from "./paired_interval.js";
export { chanceFor, summariseTasks, type TaskResult } from "./results.js";
export { DemoProgress, demoEta, type EtaInput } from "./progress.js";
export { DEMO_RESULT_FILE, writeDemoResult, type DemoPicture, type DemoResultFile, type DemoRunRef } from "./result_file.js";
export { rewriteCaptions, readCsvCaptions, type DemoRewrites } from "./rewrite_step.js";
export { demoTokenizer, type DemoTokenizer } from "./tokenizer_step.js";
export { trainMethod, warmupSteps, DEMO_HYPER, type MethodRun, type MethodSetup } from "./train_method.js";
