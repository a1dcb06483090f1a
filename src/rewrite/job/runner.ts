/**
 * The job's main loop: pulls captions from the reader only while there is room (at most `concurrency` in flight
 * and at most `window` past the oldest unfinished one: backpressure, constant memory), hands them to the rewriter,
 * and journals the results in input order. Captions with nothing to rewrite (empty, or a bad row under
 * `--on-error skip`) are journalled without calling the engine. On resume, the first `done` captions of the shard
 * are passed over; the last of them must carry the index the journal ends with, or the input has changed.
 */
import { setMaxListeners } from "node:events";
import { ConfigError } from "../../errors/config_error.js";
import { LaclipError } from "../../errors/laclip_error.js";
import type { CaptionSource, InputEvent, InputItem } from "../io/input_item.js";
import type { RewriteOutcome, Rewriter } from "../types.js";
import type { OnError } from "./config.js";
import type { JournalWriter } from "./journal.js";
import { fromOutcome, placeholder, type JournalRecord } from "./journal_record.js";
import { Reorder } from "./reorder.js";
import { RewriteFailedError } from "./rewrite_failed_error.js";

export interface RunnerOptions {
  source: CaptionSource;
  rewriter: Rewriter;
  journal: JournalWriter;
  owns: (item: InputItem) => boolean;
  resume: { done: number; lastIndex: number };
  concurrency: number;
  window: number;
  onError: OnError;
  log: (line: string) => void;
}

export interface RunnerStats {
  /** Captions journalled by this run (not counting those a resume passed over). */
  emitted: number;
  /** Captions sent to the engine by this run. */
  engineCalls: number;
  /** Input slots seen by the reader, owned or not (the input's size once the reader has ended). */
  inputSeen: number;
  inputEnded: boolean;
  skippedRows: number;
  /** Tar breaks skipped (each loses the rest of one tar). */
  losses: string[];
}

const SHOWN_PROBLEMS = 20;
/** Journal bytes allowed to wait for the disk before the reader is held back (bounds memory at any rate). */
const MAX_BACKLOG = 8 << 20;

export class Runner {
  readonly stats: RunnerStats = { emitted: 0, engineCalls: 0, inputSeen: 0, inputEnded: false, skippedRows: 0, losses: [] };
  private readonly abort = new AbortController();
  private readonly reorder: Reorder<JournalRecord>;
  private failure?: Error;
  private inFlight = 0;
  private seq = 0;
  private wake?: () => void;

  constructor(private readonly o: RunnerOptions) {
    // every caption in flight (up to --concurrency) listens for the stop: many listeners, none leaked
    setMaxListeners(0, this.abort.signal);
    this.reorder = new Reorder(o.resume.done, (rec) => {
      o.journal.append(rec);
      this.stats.emitted++;
    });
  }

  /** Stops taking captions and aborts those in flight; `run` then rejects with `reason`. */
  stop(reason: Error): void {
    this.failure ??= reason;
    this.abort.abort(reason);
    this.wake?.();
  }

  async run(): Promise<void> {
    const it = this.o.source[Symbol.asyncIterator]();
    let ended = false;
    try {
      for (;;) {
        while (!ended && !this.failure && this.inFlight < this.o.concurrency && this.seq - this.reorder.next < this.o.window) {
          if (this.o.journal.backlog > MAX_BACKLOG) await this.o.journal.flush();
          const r = await it.next();
          if (r.done) ended = true;
          else this.accept(r.value);
        }
        if (this.failure || (ended && this.inFlight === 0)) break;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } catch (err) {
      this.stop(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.stats.inputEnded = ended;
      while (this.inFlight > 0) await new Promise<void>((resolve) => (this.wake = resolve));
      await it.return?.();
    }
    if (this.failure) throw this.failure;
  }

  private accept(ev: InputEvent): void {
    if ("loss" in ev) {
      if (this.o.onError === "stop") throw ev.loss;
      this.stats.losses.push(ev.loss.message);
      this.o.log(`skipped (--on-error skip): ${ev.loss.message}; the rest of that tar is lost`);
      return;
    }
    this.stats.inputSeen = Math.max(this.stats.inputSeen, ev.record.index + 1);
    if (!this.o.owns(ev)) return;
    const seq = this.seq++;
    const { done, lastIndex } = this.o.resume;
    if (seq < done) {
      if (seq === done - 1 && ev.record.index !== lastIndex) {
        throw new ConfigError(`the input has changed since the journal was written: caption ${seq} of this shard is index ${ev.record.index} now, ${lastIndex} in the journal; use another --output`, "--input");
      }
      return;
    }
    const { record } = ev;
    const { sources, perSource } = this.o.rewriter;
    if (ev.problem) {
      if (this.o.onError === "stop") throw ev.problem;
      if (++this.stats.skippedRows <= SHOWN_PROBLEMS) this.o.log(`skipped (--on-error skip): ${ev.problem.message}`);
      else if (this.stats.skippedRows === SHOWN_PROBLEMS + 1) this.o.log("more rows skipped; summary.json counts them all");
      this.reorder.put(seq, placeholder(record.index, record.id, "", sources, perSource, ev.problem.message));
      return;
    }
    if (record.caption.trim() === "") {
      this.reorder.put(seq, placeholder(record.index, record.id, record.caption, sources, perSource));
      return;
    }
    this.inFlight++;
    this.stats.engineCalls++;
    this.o.rewriter.rewrite(record, this.abort.signal).then(
      (outcome) => {
        this.inFlight--;
        if (!this.failure) this.finish(seq, record.index, outcome);
        this.wake?.();
      },
      (err: unknown) => {
        this.inFlight--;
        this.stop(this.wrap(err, record.index, record.id));
        this.wake?.();
      },
    );
  }

  private finish(seq: number, index: number, outcome: RewriteOutcome): void {
    const { sources, perSource } = this.o.rewriter;
    const bad =
      outcome.index !== index ? `index ${outcome.index}` : sources.find((s) => outcome.rewrites[s]?.length !== perSource || outcome.rewrites[s]!.some((t) => typeof t !== "string"));
    if (bad !== undefined) {
      this.stop(new RewriteFailedError(`the rewriter returned a malformed result for caption ${index} (${bad}): a bug in the engine`));
      return;
    }
    try {
      this.reorder.put(seq, fromOutcome(outcome));
    } catch (err) {
      this.stop(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private wrap(err: unknown, index: number, id: string): Error {
    if (this.failure) return this.failure;
    const why = err instanceof LaclipError ? err.message : err instanceof Error ? err.message : String(err);
    return new RewriteFailedError(`rewriting caption ${index} (id ${id}) failed: ${why}`, { cause: err });
  }
}
