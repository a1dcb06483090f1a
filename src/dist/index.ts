/**
 * Data parallelism across processes and machines over libtorch's c10d (docs/distributed.md): the process
 * group and its collectives, the trainer's DistributedContext, the torchrun environment contract, and the
 * local launcher behind `laclip train --nproc N`.
 */
export { initProcessGroup, distributedBackends, ProcessGroup, DEFAULT_BUCKET_BYTES, type Backend, type ProcessGroupOptions, type AllReduceOptions } from "./process_group.js";
export { DistributedContext, initDistributedContext, type DistributedContextOptions } from "./context.js";
export { readDistEnv, isDistributedEnv, DEFAULT_MASTER_PORT, DEFAULT_TIMEOUT_MS, DEFAULT_BARRIER_TIMEOUT_MS, type DistEnv } from "./env.js";
export { launchLocalWorkers, ownCommand, type LaunchOptions, type LaunchResult } from "./launcher.js";
export { watchLauncher, LAUNCHER_FD_ENV } from "./launcher_watch.js";
export { freePort } from "./free_port.js";
export { parseNproc, withoutNproc, launchFromCli, contextFromEnv, workerDevice } from "./cli.js";
export { WorkerFailedError, type WorkerExit } from "./errors/worker_failed_error.js";
