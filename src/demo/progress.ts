/**
 * One progress line for the whole demo: the phase, the seed and method, the step within a training run, and an
 * ETA for the rest of the demo. On a terminal the line is redrawn in place; elsewhere (a log file) it is
 * printed at every phase change and at most every `everySeconds` while training.
 *
 * The ETA counts what is left: training steps at the seconds per step measured so far in this run (before the
 * first measured step: the budget's reference estimate), and evaluations at the seconds per evaluation
 * measured so far (before the first: `evalGuessSeconds`).
 */
import { formatDuration } from "../train/log/progress.js";

export interface EtaInput {
  stepsLeft: number;
  secondsPerStep: number;
  evalsLeft: number;
  secondsPerEval: number;
}

/** Seconds the rest of the demo should take. */
export function demoEta(i: EtaInput): number {
  return Math.max(0, i.stepsLeft) * i.secondsPerStep + Math.max(0, i.evalsLeft) * i.secondsPerEval;
}

export interface DemoProgressOptions {
  seeds: number[];
  methods: string[];
  /** Optimizer steps of one training run (the same for every seed and method). */
  stepsPerRun: number;
  /** Seconds per step before any was measured here. */
  guessSecondsPerStep: number;
  evalGuessSeconds?: number;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  everySeconds?: number;
  now?: () => number;
}

export class DemoProgress {
  private readonly stream: NonNullable<DemoProgressOptions["stream"]>;
  private readonly tty: boolean;
  private readonly now: () => number;
  private phase = "start";
  private where = "";
  private runsDone = 0;
  private stepInRun = 0;
  private evalsDone = 0;
  private trainSeconds = 0;
  private trainSteps = 0;
  private evalSeconds = 0;
  private runStarted = 0;
  private runFirstStep: number | undefined;
  private lastDraw = -Infinity;
  private lastStepTime = 0;
  private drawn = false;

  constructor(private readonly o: DemoProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.now = o.now ?? (() => performance.now() / 1000);
  }

  private get runs(): number {
    return this.o.seeds.length * this.o.methods.length;
  }

  private label(seed: number, method: string): string {
    return `seed ${seed} (${this.o.seeds.indexOf(seed) + 1}/${this.o.seeds.length}), ${method}`;
  }

  /** Seconds left in the demo, from what this run measured so far. */
  eta(): number {
    // the finished runs' steps and time, plus those of the run in progress
    const running = this.phase === "train" && this.runFirstStep !== undefined ? this.stepInRun - this.runFirstStep : 0;
    const steps = this.trainSteps + running;
    const secs = this.trainSeconds + (running > 0 ? this.lastStepTime - this.runStarted : 0);
    const perStep = steps > 0 ? secs / steps : this.o.guessSecondsPerStep;
    const perEval = this.evalsDone > 0 ? this.evalSeconds / this.evalsDone : (this.o.evalGuessSeconds ?? 5);
    const stepsLeft = (this.runs - this.runsDone) * this.o.stepsPerRun - this.stepInRun;
    return demoEta({ stepsLeft, secondsPerStep: perStep, evalsLeft: this.runs - this.evalsDone, secondsPerEval: perEval });
  }

  trainStart(seed: number, method: string): void {
    this.phase = "train";
    this.where = this.label(seed, method);
    this.stepInRun = 0;
    this.runFirstStep = undefined;
    this.runStarted = this.now();
    this.draw(true);
  }

  /** The trainer's step callback; a resumed run's first report only sets where it starts. */
  trainStep(step: number): void {
    this.runFirstStep ??= step - 1;
    this.stepInRun = step;
    this.lastStepTime = this.now();
    this.draw(false);
  }

  /** A training run ended (or was reused: `measured` false keeps its time out of the rate). */
  trainEnd(measured: boolean): void {
    if (measured && this.runFirstStep !== undefined) {
      this.trainSeconds += this.lastStepTime - this.runStarted;
      this.trainSteps += this.stepInRun - this.runFirstStep;
    }
    this.runsDone++;
    this.stepInRun = 0;
  }

  evalStart(seed: number, method: string): () => void {
    this.phase = "evaluate";
    this.where = this.label(seed, method);
    const t0 = this.now();
    this.draw(true);
    return () => {
      this.evalSeconds += this.now() - t0;
      this.evalsDone++;
    };
  }

  /** A phase outside the seed loop (data, rewrites, report). */
  step(phase: string): void {
    this.phase = phase;
    this.where = "";
    this.draw(true);
  }

  line(): string {
    const parts = [`demo: ${this.phase}`];
    if (this.where !== "") parts.push(this.where);
    if (this.phase === "train") parts.push(`step ${this.stepInRun}/${this.o.stepsPerRun}`);
    parts.push(`run ${Math.min(this.phase === "evaluate" ? this.runsDone : this.runsDone + 1, this.runs)}/${this.runs}`, `ETA ${formatDuration(this.eta())}`);
    return parts.join(", ");
  }

  private draw(force: boolean): void {
    const t = this.now();
    const every = this.tty ? 0.5 : (this.o.everySeconds ?? 20);
    if (!force && t - this.lastDraw < every) return;
    this.lastDraw = t;
    this.stream.write(this.tty ? `\r${this.line()}\x1b[K` : `${this.line()}\n`);
    this.drawn = this.tty;
  }

  /** Before another line goes to the same stream: a redrawn line is cleared first (it comes back at the next draw). */
  interrupt(): void {
    if (this.drawn) this.stream.write("\r\x1b[K");
    this.drawn = false;
  }

  /** Ends a redrawn line so that later output starts on a fresh one. */
  finish(): void {
    if (this.drawn) this.stream.write("\n");
    this.drawn = false;
  }
}
