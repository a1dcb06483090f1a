/**
 * The parity suite against PyTorch reference fixtures (see ../shared/README.md for the fixture layout):
 *
 *   const results = await runParity(["../shared/reference/parity"]);   // one ParityResult per family and quantity
 *   results.every((r) => r.ok)
 */
export { checkParityDir, defaultParityDirs, runParity, type ParityOptions } from "./run.js";
export { checkFamily, type FamilyOptions } from "./family.js";
export { checkTokenizerCases } from "./tokenizer_cases.js";
export { parseFixtureConfig, type FixtureConfig } from "./fixture_config.js";
export { compareArrays, compareTensors, type Comparison } from "./compare.js";
export { TOLERANCE, failure, formatResult, type ParityResult, type Tolerance } from "./result.js";
