/**
 * The append-only journal that makes a run resumable: a header line with the settings, then one JSON line per
 * finished caption in index order. Lines are written in batches (a timer or 1 MiB, whichever first) and fsync'd
 * every couple of seconds and at the end, so the per-caption cost is a JSON.stringify. After a SIGKILL the file
 * holds a prefix of the records, perhaps with a torn last line: `openJournal` cuts that line off and the run
 * goes on after the last whole record.
 */
import { open, stat, truncate, type FileHandle } from "node:fs/promises";
import { FormatError } from "../../errors/format_error.js";
import { writeAll } from "../../io/file/atomic_write.js";
import { readRawLines } from "../io/line_reader.js";
import { isRecord, type JournalHeader, type JournalRecord } from "./journal_record.js";

const FLUSH_MS = 100;
const FLUSH_BYTES = 1 << 20;
const SYNC_MS = 2000;

export interface JournalState {
  /** The header found in an existing journal (undefined for a new one). */
  header?: JournalHeader;
  /** Whole records found. */
  done: number;
  /** Index of the last whole record, -1 when none. */
  lastIndex: number;
}

/** Reads an existing journal, cutting off a torn last line; a missing or headless file reads as empty. */
export async function scanJournal(path: string): Promise<JournalState> {
  const size = (await stat(path).catch(() => undefined))?.size;
  if (size === undefined) return { done: 0, lastIndex: -1 };
  let header: JournalHeader | undefined;
  let state: JournalState = { done: 0, lastIndex: -1 };
  let validEnd = 0;
  let pendingBad: number | undefined;
  for await (const raw of readRawLines(path)) {
    if (pendingBad !== undefined) {
      throw new FormatError("journal line is damaged in the middle of the file (not a torn last line); delete the output directory to start over", { file: path, line: pendingBad });
    }
    const end = raw.offset + raw.bytes.length + 1;
    let value: unknown;
    try {
      value = end <= size ? JSON.parse(raw.bytes.toString("utf8")) : undefined;
    } catch {
      value = undefined;
    }
    if (raw.line === 1) {
      if ((value as JournalHeader | undefined)?.journal !== "laclip-rewrite") {
        if (end <= size) throw new FormatError("not a laclip rewrite journal", { file: path, line: 1 });
        break; // the header itself is torn: nothing was recorded yet
      }
      header = value as JournalHeader;
      validEnd = end;
      continue;
    }
    if (isRecord(value) && value.i <= state.lastIndex) {
      throw new FormatError(`journal record for index ${value.i} comes after index ${state.lastIndex}; delete the output directory to start over`, { file: path, line: raw.line });
    }
    if (!isRecord(value)) {
      pendingBad = raw.line;
      continue;
    }
    state = { done: state.done + 1, lastIndex: value.i };
    validEnd = end;
  }
  if (header === undefined) return { done: 0, lastIndex: -1 };
  if (validEnd < size) await truncate(path, validEnd);
  return { ...state, header };
}

export class JournalWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private writingBytes = 0;
  private writing?: Promise<void>;
  private failure?: unknown;
  private dirty = false;
  private flushTimer?: NodeJS.Timeout;
  private readonly syncTimer: NodeJS.Timeout;

  private constructor(private readonly fh: FileHandle) {
    this.syncTimer = setInterval(() => void this.sync().catch(() => undefined), SYNC_MS);
    this.syncTimer.unref();
  }

  /** Opens for appending; writes the header first when the journal is new. */
  static async open(path: string, header: JournalHeader | undefined): Promise<JournalWriter> {
    const fh = await open(path, header ? "w" : "a");
    const w = new JournalWriter(fh);
    if (header) {
      await writeAll(fh, Buffer.from(JSON.stringify(header) + "\n"), null);
      await fh.sync();
    }
    return w;
  }

  append(record: JournalRecord): void {
    if (this.failure) throw this.failure;
    const line = JSON.stringify(record) + "\n";
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.kick();
    else this.flushTimer ??= setTimeout(() => this.kick(), FLUSH_MS);
  }

  /** Bytes appended but not yet handed to the file system; the runner waits when this grows. */
  get backlog(): number {
    return this.pendingBytes + this.writingBytes;
  }

  /**
   * Starts one write of everything pending unless one is running; when it ends it starts the next. One write per
   * turn of the event loop, however much piled up, so the journal keeps up with any rate of appends.
   */
  private kick(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.writing || this.pending.length === 0 || this.failure) return;
    const data = this.pending.join("");
    this.pending = [];
    this.writingBytes = this.pendingBytes;
    this.pendingBytes = 0;
    this.writing = writeAll(this.fh, Buffer.from(data), null).then(
      () => {
        this.dirty = true;
        this.writing = undefined;
        this.writingBytes = 0;
        this.kick();
      },
      (err: unknown) => {
        this.failure = err;
        this.writing = undefined;
      },
    );
  }

  /** Resolves when everything appended so far is written (not necessarily fsync'd). */
  async flush(): Promise<void> {
    while (!this.failure && (this.writing || this.pending.length > 0)) {
      this.kick();
      await this.writing;
    }
    if (this.failure) throw this.failure;
  }

  private async sync(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await this.fh.sync();
  }

  /** Writes and fsyncs everything, then closes. */
  async close(): Promise<void> {
    clearInterval(this.syncTimer);
    try {
      await this.flush();
      this.dirty = true;
      await this.sync();
    } finally {
      await this.fh.close();
    }
  }
}

/** The records of a finished journal, in order. */
export async function* readJournal(path: string): AsyncGenerator<JournalRecord> {
  for await (const raw of readRawLines(path)) {
    if (raw.line === 1) continue;
    yield JSON.parse(raw.bytes.toString("utf8")) as JournalRecord;
  }
}
