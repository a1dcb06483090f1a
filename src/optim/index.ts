/**
 * Optimizers with torch.optim's update rules and state-dict layout, and gradient clipping.
 *
 *   const opt = new AdamW([{ params: decay, weightDecay: 0.1 }, { params: noDecay, weightDecay: 0 }], { lr: 5e-4 });
 *   tidy(() => { loss(model).backward(); clipGradNorm(model.parameters(), 1.0); opt.step(); opt.zeroGrad(); });
 */
export { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from "./optimizer.js";
export { AdamW, ADAMW_DEFAULTS, type AdamWOptions } from "./adamw.js";
export { SGD, SGD_DEFAULTS, type SGDOptions } from "./sgd.js";
export { clipGradNorm, clipGradNormDeferred, clipGradValue, type ClipGradNormOptions } from "./clip_grad.js";
export type { OptimizerStateDict, OptimizerStateSource } from "./state_dict.js";
export { optimizerStateToFiles, optimizerStateFromFiles, type OptimizerStateJson } from "./files.js";
export { OptimizerStateError } from "./errors/optimizer_state_error.js";
export { NonFiniteNormError } from "./errors/non_finite_norm_error.js";
