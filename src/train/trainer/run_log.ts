/**
 * Where a run reports: `metrics.jsonl` (one line every `log.every_steps` optimizer steps, and one per
 * evaluation), TensorBoard event files under `tb/`, and the progress bar/lines on stderr. Only the main rank
 * writes. Resuming at step S drops what a killed run logged after S (MetricsLog / TensorBoard purge), and the
 * loss average of a line cut in two by the kill continues from the sums saved in the checkpoint.
 *
 * A training line: step, epoch (counted from 1: the epoch the step belongs to, as evaluation lines), loss (the last step's), loss_avg (mean over the steps since the previous
 * line), lr, logit_scale (exp of the clamped parameter, the multiplier of the cosine similarities),
 * samples_per_s (global samples per second of wall time since the previous line), data_wait_s (seconds of
 * that time spent waiting for batches), step_time_s (mean seconds per step), grad_norm (when clipping),
 * bad_samples (skipped or replaced samples so far, all reasons).
 */
import { join } from "node:path";
import { MetricsLog, TensorBoardWriter, TrainProgress, type MetricValue } from "../log/index.js";
import type { TrainConfig } from "../config/index.js";

export interface StepReport {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  logitScale: number;
  gradNorm?: number;
  /** Samples of this step over all ranks. */
  samples: number;
  waitSeconds: number;
  badSamples: number;
}

export class RunLog {
  readonly metrics: MetricsLog | undefined;
  /** Opened at the first value written: a run that logs nothing (a finished job run again) adds no empty file. */
  private tbWriter: TensorBoardWriter | undefined;
  private readonly openTb: (() => TensorBoardWriter) | undefined;
  private readonly progress: TrainProgress | undefined;
  private readonly every: number;
  /** Loss sums since the last line (saved in checkpoints). */
  accum = { lossSum: 0, steps: 0 };
  private samples = 0;
  private wait = 0;
  private since = performance.now();

  constructor(outputDir: string, cfg: TrainConfig, o: { resumeStep: number; totalSteps: number; isMain: boolean; stream?: NodeJS.WritableStream }) {
    this.every = cfg.log.every_steps;
    if (!o.isMain) return;
    this.metrics = MetricsLog.open(join(outputDir, "metrics.jsonl"), { resumeStep: o.resumeStep });
    if (cfg.log.tensorboard) this.openTb = () => new TensorBoardWriter(join(outputDir, "tb"), { purgeStep: o.resumeStep + 1 });
    this.progress = new TrainProgress({ total: o.totalSteps, mode: cfg.log.progress, stream: o.stream });
  }

  private get tb(): TensorBoardWriter | undefined {
    if (this.tbWriter === undefined && this.openTb !== undefined) this.tbWriter = this.openTb();
    return this.tbWriter;
  }

  step(r: StepReport): void {
    this.accum.lossSum += r.loss;
    this.accum.steps += 1;
    this.samples += r.samples;
    this.wait += r.waitSeconds;
    this.progress?.update({ step: r.step, epoch: r.epoch, loss: r.loss, lr: r.lr });
    if (r.step % this.every !== 0) return;
    const seconds = (performance.now() - this.since) / 1000;
    const record: Record<string, MetricValue> = {
      loss: r.loss,
      loss_avg: this.accum.lossSum / this.accum.steps,
      lr: r.lr,
      logit_scale: r.logitScale,
      samples_per_s: this.samples / seconds,
      data_wait_s: this.wait,
      step_time_s: seconds / this.accum.steps,
      bad_samples: r.badSamples,
    };
    if (r.gradNorm !== undefined) record.grad_norm = r.gradNorm;
    this.metrics?.write({ step: r.step, epoch: r.epoch, ...record });
    this.tb?.scalars(r.step, {
      "train/loss": r.loss, "train/loss_avg": record.loss_avg as number, "train/lr": r.lr, "train/logit_scale": r.logitScale,
      "train/samples_per_s": record.samples_per_s as number, "train/data_wait_frac": this.wait / seconds,
      ...(r.gradNorm !== undefined ? { "train/grad_norm": r.gradNorm } : {}),
    });
    this.accum = { lossSum: 0, steps: 0 };
    this.samples = 0;
    this.wait = 0;
    this.since = performance.now();
  }

  /** An evaluation line (zero-shot accuracies as fractions of 1, as `laclip eval`) at `step`. */
  eval(step: number, epoch: number, values: Record<string, number>): void {
    this.metrics?.write({ step, epoch, ...values });
    this.tb?.scalars(step, Object.fromEntries(Object.entries(values).map(([k, v]) => [`eval/${k}`, v])));
  }

  /** Before a checkpoint: the log on disk is then at least as far as the checkpoint. */
  sync(): void {
    this.metrics?.sync();
    this.tbWriter?.flush();
  }

  close(): void {
    this.progress?.finish();
    this.metrics?.close();
    this.tbWriter?.close();
  }
}
