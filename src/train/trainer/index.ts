/**
 * The LaCLIP trainer: the loop (train.ts), one optimizer step (step.ts), the data-parallel seam (context.ts),
 * atomic checkpoints with auto-resume (checkpoint.ts, resume.ts), metrics (run_log.ts), phase timing
 * (profile.ts) and the FLOP count of a step (flops.ts). docs/train.md explains the whole.
 */
export { train, type TrainOptions, type TrainResult } from "./train.js";
export {
  readStepValues, trainStep, trainStepValues, type Accumulation, type MicroBatch, type StepResult, type StepSetup, type StepValues, type StepWhere,
} from "./step.js";
export { towerFeatures, contrastiveLoss, textBatch, type Features, type TowerOptions } from "./contrastive.js";
export { LocalContext, type TrainContext } from "./context.js";
export { buildModel, buildOptimizer, modelConfigOf } from "./model_setup.js";
export { saveCheckpoint, loadCheckpointInto, latestCheckpoint, readState, checkpointName, CHECKPOINTS_DIR } from "./checkpoint.js";
export { findResume, checkSameRun } from "./resume.js";
export { RunLog, type StepReport } from "./run_log.js";
export { openEpochEval, type EpochEval } from "./epoch_eval.js";
export { PhaseTimer, type PhaseStats } from "./profile.js";
export { stepFlops, type StepFlops } from "./flops.js";
export { benchTrainStep, type BenchStepOptions, type BenchStepResult } from "./bench_step.js";
export { runPeerScript, runTorchPeer, torchPeerScript, PEER_PYTHON } from "./torch_peer.js";
export { OpProfile, type OpStats } from "./op_profile.js";
export { STATE_FORMAT, STATE_VERSION, RNG_RULE, trainerState, type TrainerState } from "./state.js";
export { NonFiniteLossError } from "./errors/non_finite_loss_error.js";
export { CheckpointError } from "./errors/checkpoint_error.js";
export { TrainingStoppedError } from "./errors/training_stopped_error.js";
export { StopRequest, stopOnSignals, signalExitCode } from "./stop.js";
export { checkCheckpoint, newestValidCheckpoint, nonFiniteTensor, type ValidCheckpoint } from "./checkpoint_check.js";
