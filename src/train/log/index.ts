export { MetricsLog, readMetrics, type MetricsRecord, type MetricValue } from "./metrics_jsonl.js";
export { TensorBoardWriter, tfRecord } from "./tensorboard.js";
export { crc32c, maskedCrc32c } from "./crc32c.js";
export { TrainProgress, formatDuration, type ProgressMode, type ProgressOptions, type ProgressStatus } from "./progress.js";
