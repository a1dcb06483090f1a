/**
 * A decode worker thread: runs jobs as they arrive (several may overlap, as libvips works off-thread) and answers
 * each with its pixels, transferred, or its error. It never exits on a bad image.
 */
import { parentPort } from "node:worker_threads";
import { ImageDecodeError } from "./image_decode_error.js";
import type { JobMessage, ReplyMessage } from "./pool_protocol.js";
import { preprocessImage } from "./preprocess.js";
import { configureSharpForDecoding } from "./sharp_setup.js";
import { sourceName } from "./source.js";

if (!parentPort) throw new Error("pool_worker must run as a worker thread");
const port = parentPort;
configureSharpForDecoding();

async function handle(msg: JobMessage): Promise<void> {
  const { id, job, out } = msg;
  try {
    if (out) {
      await preprocessImage(job.source, job.spec, { seed: job.seed, out: new Float32Array(out.buffer), offset: out.offset });
      port.postMessage({ id, ok: true } satisfies ReplyMessage);
    } else {
      const data = await preprocessImage(job.source, job.spec, { seed: job.seed });
      port.postMessage({ id, ok: true, data } satisfies ReplyMessage, [data.buffer as ArrayBuffer]);
    }
  } catch (err) {
    const reply: ReplyMessage = err instanceof ImageDecodeError
      ? { id, ok: false, kind: "decode", file: err.file, reason: err.reason }
      : { id, ok: false, kind: "other", file: sourceName(job.source), reason: err instanceof Error ? err.message : String(err) };
    port.postMessage(reply);
  }
}

port.on("message", (msg: JobMessage) => void handle(msg));
