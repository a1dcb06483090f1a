/**
 * Zero-shot evaluation (CLIP_benchmark's recipe and output): evaluation sets from an image folder or a
 * path,label list, prompt templates, the text-built classifier, streamed image scoring, and metrics.
 *
 *   const task = await openZeroShotTask({ images: "val/", classes: "classes.json", templates: "laclip-7" });
 *   const report = await zeroShotEval(model, task.set, { ...clipEvalInputs(model.config), tokenizer, templates: task.templates.templates });
 *   await writeResult("result.json", benchmarkResult(report, { dataset, model, pretrained, templates, nTemplates }));
 */
export type { EvalClass, EvalSample, EvalSet, ZeroShotModel } from "./types.js";
export { classesFromNames, readClassNames } from "./class_names.js";
export { BUILTIN_TEMPLATES, checkTemplate, fillTemplate, readTemplates, type TemplateSet } from "./templates.js";
export { EVAL_IMAGE_EXTENSIONS, compareCodePoints } from "./image_files.js";
export { checkFolderMap, readFolderMap } from "./folder_map.js";
export { openImageFolder, type ImageFolderOptions } from "./image_folder.js";
export { openLabelList, type LabelListOptions } from "./label_list.js";
export { openZeroShotTask, type TaskFiles, type ZeroShotTask } from "./task.js";
export { buildZeroShotClassifier, classPrompts, classWeightRows, type ClassifierOptions, type TextTokenizer } from "./classifier.js";
export type { RunOptions } from "./run_model.js";
export { ZeroShotAccumulator, rankOfLabel, type ClassResult, type ZeroShotMetrics } from "./metrics.js";
export { decodedBatches, type DecodedBatch, type SkippedImage } from "./batches.js";
export { zeroShotEval, type ZeroShotOptions, type ZeroShotReport } from "./zero_shot.js";
export { benchmarkResult, writeResult, type BenchmarkResult, type ResultInfo } from "./result_json.js";
export { clipEvalInputs, clipModelName } from "./clip.js";
export { evalFromFiles, type EvalFilesOptions } from "./run_files.js";
export { checkLabelled, classCount, featureRows, holdOutRows, normalisedCopy, selectRows, type Features, type LabelledFeatures } from "./features.js";
export { retrievalRecall, type RetrievalOptions, type RetrievalResult } from "./retrieval.js";
export { cosineLr, fitLinear, trainLinear, type LinearModel, type LinearTrainOptions, type LinearWeights } from "./linear_train.js";
export { fewShotSubset, linearProbe, searchGrid, weightDecayGrid, type LinearProbeMetrics, type LinearProbeOptions, type LinearProbeResult } from "./linear_probe.js";
export { fewShotEpisode, fewShotEpisodes, type Episode, type FewShotMetrics, type FewShotOptions, type FewShotResult } from "./few_shot.js";
export type { MultilabelSet, RetrievalSet } from "./types.js";
export { averagePrecision, multilabelMetrics, type MultilabelMetrics } from "./average_precision.js";
export { openWdsSplit, type WdsDataset, type WdsOptions } from "./wds_set.js";
export { openRetrievalList, type RetrievalListOptions } from "./retrieval_list.js";
export { builtinDataset, builtinDatasetNames, isBuiltinDataset, type BuiltinDataset, type ReportedMetric } from "./builtin.js";
export { datasetBaseName, datasetRoot, openDatasetSplit, type DatasetRequest, type OpenedSplit } from "./dataset_open.js";
export { imageFeatures, textFeatures, type ImageFeatureOptions, type SplitFeatures, type TextFeatureOptions } from "./encode_set.js";
export { FeatureCache, featureKey, type FeatureKey } from "./feature_cache.js";
export { runDatasetTasks } from "./benchmark.js";
export { EVAL_TASKS, type BenchmarkOptions, type EvalTaskName, type TaskResult } from "./benchmark_types.js";
export { outTakesMany, resultFileName, resultPath, writeJson } from "./result_files.js";
export { defaultFeatureCache, evalBenchmark, type EvalBenchmarkOptions } from "./run_benchmark.js";
export { runSuite, type SuiteRun } from "./suite.js";
export { suiteTable, tableCsv, tableMarkdown, type SuiteTable } from "./suite_table.js";
