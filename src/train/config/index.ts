export type { TrainConfig } from "./types.js";
export { FIELDS, FIELD_BY_KEY, SECTION_DOCS, type Field, type FieldType } from "./schema.js";
export { validateConfig } from "./validate.js";
export { parseOverride } from "./overrides.js";
export { defaultConfig, loadConfig, type LoadOptions } from "./load.js";
export { formatConfig, formatConfigChanges, saveConfig, CONFIG_FILE } from "./format.js";
export { resolveBatch, type BatchPlan } from "./batch.js";
export { dataSpec } from "./data_spec.js";
export { checkInputs } from "./inputs.js";
