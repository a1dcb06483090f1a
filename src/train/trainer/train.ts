/**
 * `train(config)`: the whole training run, top to bottom.
 *
 *   setup    model config and tokenizer → data for this rank → cosine schedule → model → AdamW groups → resume
 *            or broadcast the fresh weights → decode pool + loader → eval task → logs
 *   loop     per epoch, per optimizer step: A micro-batches from the loader → lr from the schedule →
 *            trainStep (forward, loss over all ranks' features, backward, all-reduce, clip, AdamW, clamp) →
 *            metrics → checkpoint every N steps
 *   epoch    zero-shot eval (when configured) → checkpoint
 * A non-finite loss stops the run before that step is applied, naming the step and the last good checkpoint.
 * Epochs are counted from 0 inside (data positions, checkpoints) and from 1 in everything a person reads: log
 * lines, metrics.jsonl, the progress line, errors (epoch 1 of N is the first).
 * A stop request (SIGINT/SIGTERM, stop.ts) ends the run after the current step, with a checkpoint of it.
 */
import { manualSeed, type Device } from "../../engine/index.js";
import { ConfigError } from "../../errors/config_error.js";
import { createDecoder, trainTransform } from "../../image/index.js";
import { deriveSeed } from "../../util/rng.js";
import { dataSpec, resolveBatch, saveConfig, type TrainConfig } from "../config/index.js";
import { openTrainData, type DataPosition } from "../data/index.js";
import { TrainLoader, textsPerSampleOf, type BatchTokenizer, type TrainBatch } from "../loader/index.js";
import { fitWarmup, learningRate, makeSchedule } from "../schedule.js";
import { loadCheckpointInto, saveCheckpoint } from "./checkpoint.js";
import { LocalContext, type TrainContext } from "./context.js";
import { openEpochEval } from "./epoch_eval.js";
import { NonFiniteLossError } from "./errors/non_finite_loss_error.js";
import { TrainingStoppedError } from "./errors/training_stopped_error.js";
import { buildModel, buildOptimizer, initWeights, modelConfigOf, openTokenizer } from "./model_setup.js";
import { chooseMerges } from "../../tokenizer/default_merges.js";
import { PhaseTimer } from "./profile.js";
import { newestValidCheckpoint } from "./checkpoint_check.js";
import { checkSameRun, findResume } from "./resume.js";
import { RunLog } from "./run_log.js";
import { trainerState, type TrainerState } from "./state.js";
import { readStepValues, trainStepValues, type Accumulation, type StepSetup, type StepValues } from "./step.js";
import type { StopRequest } from "./stop.js";

export interface TrainOptions {
  /** CLIP BPE merges file (default $LACLIP_BPE, else the shipped OpenAI vocabulary); or give `tokenizer`. */
  merges?: string;
  tokenizer?: BatchTokenizer;
  /** Data parallelism; default one process (LocalContext). */
  context?: TrainContext;
  device?: Device;
  /** Gradient accumulation semantics (step.ts). Default exact. */
  accumulation?: Accumulation;
  /** Checkpoints kept (newest first). Default 3. */
  keepCheckpoints?: number;
  /** Batches decoded ahead. Default 2. */
  prefetch?: number;
  /** Informational lines (default stderr). */
  log?: (line: string) => void;
  /** Where the progress bar goes (default stderr). */
  progressStream?: NodeJS.WritableStream;
  /** Phase timings (default: on when LACLIP_PROFILE=1); printed through `log` at the end. */
  timer?: PhaseTimer;
  /** After every optimizer step: steps done and in the whole run (a caller's own progress, e.g. the demo's). */
  onStep?: (step: number, totalSteps: number) => void;
  /**
   * Looked at after every optimizer step (agreed over ranks: every rank passes one or none): once requested,
   * the run saves a checkpoint at that step and throws TrainingStoppedError (stop.ts; the CLI wires signals).
   */
  stop?: StopRequest;
}

export interface TrainResult {
  /** Optimizer steps completed in all. */
  step: number;
  position: DataPosition;
  lastCheckpoint: string | undefined;
  /** Loss of the last step this process ran (undefined when it ran none). */
  lastLoss: number | undefined;
  resumedFrom: string | undefined;
}

export async function train(cfg: TrainConfig, o: TrainOptions = {}): Promise<TrainResult> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const ctx = o.context ?? new LocalContext();
  const device = o.device ?? "cpu";
  const timer = o.timer ?? new PhaseTimer();
  const outputDir = cfg.checkpoint.output_dir;
  const seed = cfg.train.seed;
  const plan = resolveBatch(cfg, ctx.world);
  const modelConfig = modelConfigOf(cfg.model.name);
  const contextLength = modelConfig.text.contextLength;
  const mergesPath = o.tokenizer === undefined ? chooseMerges(o.merges).path : (o.merges ?? null);
  const tokenizer = o.tokenizer ?? openTokenizer(mergesPath!, contextLength, modelConfig.text.vocabSize);

  // ---- data and schedule
  const data = await openTrainData(dataSpec(cfg), { rank: ctx.rank, world: ctx.world, batchSize: plan.perRank, seed, tail: cfg.data.tail, log });
  const cleanup: (() => Promise<void> | void)[] = [() => data.close()];
  try {
    const stepsPerEpoch = Math.floor(data.stepsPerEpoch / plan.accum);
    if (stepsPerEpoch < 1) {
      throw new ConfigError(`the data (${data.size} samples) does not fill one optimizer step of ${plan.global} samples; lower train.batch_size or grad_accum`, "train.batch_size");
    }
    const scheduleSpec = {
      lr: cfg.optim.lr, lrStart: cfg.optim.lr_start, lrEnd: cfg.optim.lr_end, epochs: cfg.train.epochs, stepsPerEpoch,
      warmupEpochs: cfg.optim.warmup_epochs, warmupSteps: cfg.optim.warmup_steps ?? undefined,
    };
    const warmup = fitWarmup(scheduleSpec);
    if (warmup.note !== undefined && ctx.isMain) log(warmup.note);
    const schedule = makeSchedule({ ...scheduleSpec, warmupSteps: warmup.warmupSteps });

    // ---- model, optimizer, resume
    const model = buildModel(modelConfig, seed, device);
    cleanup.push(() => model.dispose());
    const optimizer = buildOptimizer(model, cfg);
    cleanup.push(() => optimizer.dispose());
    const resume = await findResume(cfg, log);
    let state: TrainerState | undefined;
    if (resume !== undefined) {
      for (const change of checkSameRun(cfg, plan, stepsPerEpoch, resume.dir, resume.state)) log(change);
      await loadCheckpointInto(resume.dir, model, optimizer);
      state = resume.state;
      log(`resuming from ${resume.dir}: step ${state.step}, epoch ${state.position.epoch + 1} of ${cfg.train.epochs} at batch ${state.position.step}`);
    } else {
      if (cfg.model.init !== null) await initWeights(model, cfg.model.init, log);
      await ctx.broadcastParameters(model.parameters());
    }

    // ---- loader, evaluation
    const textsPerSample = state?.textsPerSample ?? (await textsPerSampleOf(cfg, data));
    const decoder = createDecoder({ workers: cfg.data.workers });
    cleanup.push(() => decoder.close());
    const transform = trainTransform({ size: modelConfig.vision.imageSize, normalize: modelConfig.imageMeanStd, scale: cfg.data.crop_scale, ratio: cfg.data.crop_ratio });
    const loader = new TrainLoader({
      data, decoder, transform, tokenizer, contextLength, textsPerSample, seed, device, log, prefetch: o.prefetch,
      text: { mode: cfg.text.augment, seed, sourceWeights: cfg.text.source_weights ?? undefined },
    });
    const evaluation = await openEpochEval(cfg, tokenizer, { device, log });

    // ---- logs
    let step = state?.step ?? 0;
    let position: DataPosition = state?.position ?? { epoch: 0, step: 0 };
    if (ctx.isMain) await saveConfig(cfg, outputDir);
    const runLog = new RunLog(outputDir, cfg, { resumeStep: step, totalSteps: schedule.totalSteps, isMain: ctx.isMain, stream: o.progressStream });
    cleanup.push(() => runLog.close());
    if (state !== undefined) runLog.accum = { ...state.logAccum };
    let lastCheckpoint = resume?.dir;
    let lastLoss: number | undefined;
    let lastLr: number | null = state?.lastLr ?? null;
    let samplesSeen = state?.samplesSeen ?? 0;
    let savedStep = state?.step ?? -1;

    // Steps whose loss, logit scale and gradient norm are still on the device (CUDA: read at log lines and
    // checkpoints, so that no step waits for the GPU; the CPU reads each step at once, as before).
    const pending: { values: StepValues; step: number; epoch: number; lr: number; waitSeconds: number; badSamples: number }[] = [];
    cleanup.push(() => { for (const p of pending.splice(0)) p.values.values.dispose(); });
    const flush = (): void => {
      while (pending.length > 0) {
        const p = pending.shift()!;
        let r;
        try {
          r = readStepValues([p.values])[0]!;
        } catch (err) {
          if (!(err instanceof NonFiniteLossError)) throw err;
          runLog.metrics?.write({ step: p.step, epoch: p.epoch, loss: err.value, lr: p.lr, stopped: "non-finite loss" });
          throw new NonFiniteLossError(err.value, p.step - 1, p.epoch, lastCheckpoint);
        }
        lastLoss = r.loss;
        runLog.step({ step: p.step, epoch: p.epoch, loss: r.loss, lr: p.lr, logitScale: r.logitScale, gradNorm: r.gradNorm, samples: plan.global, waitSeconds: p.waitSeconds, badSamples: p.badSamples });
      }
    };

    const checkpoint = async (epochEnd: boolean): Promise<void> => {
      flush();
      runLog.sync();
      await ctx.barrier();
      if (ctx.isMain) {
        const s = trainerState({
          step, position, epochEnd, schedule: { ...schedule, stepsPerEpoch }, lastLr, batch: plan, textsPerSample, accumulation: setup.accumulation,
          logAccum: { ...runLog.accum }, samplesSeen, badSamples: data.bad.counts(), config: cfg,
          tokenizer: { merges: mergesPath, contextLength },
        });
        lastCheckpoint = await saveCheckpoint(outputDir, model, optimizer, s, o.keepCheckpoints ?? 3);
      }
      savedStep = step;
      await ctx.barrier();
    };

    const setup: StepSetup = {
      model, optimizer, params: model.parameters(), ctx, bf16: cfg.train.dtype === "bf16", device: device.startsWith("cuda") ? "cuda" : "cpu",
      gradClip: cfg.optim.grad_clip, accumulation: o.accumulation ?? "exact", timer, deferRead: device.startsWith("cuda"),
    };
    model.train();

    // ---- the loop
    const batchesPerEpoch = stepsPerEpoch * plan.accum; // a tail that cannot fill a whole step is not read
    for (let epoch = position.epoch; epoch < cfg.train.epochs; epoch++) {
      const from = epoch === position.epoch ? position.step : 0;
      if (from < batchesPerEpoch) {
        let micro: TrainBatch[] = [];
        let wait = 0;
        try {
          for await (const batch of loader.epoch({ epoch, step: from }, batchesPerEpoch)) {
            micro.push(batch);
            wait += batch.waitSeconds;
            if (micro.length < plan.accum) continue;
            const lr = learningRate(schedule, step);
            manualSeed(deriveSeed(seed, "step", step));
            let values;
            try {
              values = await trainStepValues(setup, micro, lr, { step, epoch });
            } catch (err) {
              if (!(err instanceof NonFiniteLossError)) throw err;
              runLog.metrics?.write({ step: step + 1, epoch: epoch + 1, loss: err.value, lr, stopped: "non-finite loss" });
              // the newest checkpoint may already hold non-finite weights (a finite loss, then a bad update)
              const good = ctx.isMain ? await newestValidCheckpoint(outputDir, step + 1).catch(() => undefined) : undefined;
              throw new NonFiniteLossError(err.value, step, epoch + 1, good?.dir);
            }
            step += 1;
            position = micro[micro.length - 1]!.position;
            samplesSeen += plan.global;
            lastLr = lr;
            for (const m of micro) m.dispose();
            micro = [];
            pending.push({ values, step, epoch: epoch + 1, lr, waitSeconds: wait, badSamples: data.bad.total });
            if (!setup.deferRead || step % cfg.log.every_steps === 0) flush();
            o.onStep?.(step, schedule.totalSteps);
            timer.add("data_wait", wait * 1000);
            wait = 0;
            const epochDone = position.step >= batchesPerEpoch;
            if (!epochDone && cfg.checkpoint.every_steps > 0 && step % cfg.checkpoint.every_steps === 0) await checkpoint(false);
            if (o.stop !== undefined && (await ctx.anyRank(o.stop.requested))) {
              if (savedStep !== step) await checkpoint(false);
              throw new TrainingStoppedError(o.stop.signal ?? "SIGTERM", step, ctx.isMain ? lastCheckpoint : undefined);
            }
          }
        } finally {
          for (const m of micro) m.dispose();
        }
      }

      // ---- end of epoch
      flush();
      position = { epoch: epoch + 1, step: 0 };
      if (evaluation !== undefined && ctx.isMain && (epoch + 1) % cfg.eval.every_epochs === 0) {
        const values = await evaluation.run(model, decoder);
        model.train();
        runLog.eval(step, epoch + 1, values);
        log(`epoch ${epoch + 1} of ${cfg.train.epochs}: ${Object.entries(values).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(", ")} (fractions of 1, as laclip eval reports them)`);
      }
      await checkpoint(true);
    }
    if (timer.enabled && step > (state?.step ?? 0)) log(timer.format(step - (state?.step ?? 0)));
    return { step, position, lastCheckpoint, lastLoss, resumedFrom: resume?.dir };
  } finally {
    for (const c of cleanup.reverse()) await c();
  }
}
