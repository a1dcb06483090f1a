/**
 * A multilabel sample's classes as a 0/1 vector over the C classes. CLIP_benchmark's converter writes the
 * target as an `npy` member (numpy.save of a (C,) vector of 0/1, float32 for voc2007_multilabel); laclip also
 * reads a `cls` member holding the positive class indices, separated by commas or spaces (`3,14`), which is
 * easier to write by hand. A vector of zeros is a sample with no class of the list: it only counts as a
 * negative, as in CLIP_benchmark. Each problem is one error naming the shard and the sample key.
 */
import { FormatError } from "../errors/format_error.js";
import { NpyFormatError, readNpy } from "../io/npy/reader.js";

export interface TargetContext {
  /** The shard and the sample key, for messages. */
  file: string;
  key: string;
  classes: number;
  /** Where the class list came from (classnames.txt, or "the built-in class list"). */
  classesSource: string;
}

const fail = (c: TargetContext, message: string, cause?: unknown): FormatError =>
  new FormatError(message, { file: c.file, key: c.key }, cause === undefined ? undefined : { cause });

export function targetFromNpy(bytes: Uint8Array, c: TargetContext): Uint8Array {
  if (bytes.length === 0) throw fail(c, "'npy' member is empty; it must be numpy.save of the sample's 0/1 vector over the classes");
  let values: Float64Array;
  let shape: number[];
  try {
    ({ values, shape } = readNpy(bytes));
  } catch (err) {
    if (!(err instanceof NpyFormatError)) throw err;
    throw fail(c, `'npy' member: ${err.message}; it must be numpy.save of the sample's 0/1 vector over the classes`, err);
  }
  if (shape.filter((n) => n !== 1).length > 1 || values.length !== c.classes) {
    throw fail(c, `'npy' target has shape (${shape.join(", ")}), but ${c.classesSource} has ${c.classes} classes; the target must be a vector of ${c.classes} values 0/1`);
  }
  const out = new Uint8Array(c.classes);
  values.forEach((v, i) => {
    if (v !== 0 && v !== 1) throw fail(c, `'npy' target holds ${v} for class ${i}; every value must be 0 (absent) or 1 (present)`);
    out[i] = v;
  });
  return out;
}

export function targetFromIndices(text: string, c: TargetContext): Uint8Array {
  const items = text.trim().split(/[\s,]+/).filter((s) => s !== "");
  if (items.length === 0) throw fail(c, "'cls' member is empty; give the sample's class indices (e.g. '3,14'), or an 'npy' 0/1 vector");
  const out = new Uint8Array(c.classes);
  for (const item of items) {
    if (!/^\d+$/.test(item)) throw fail(c, `'cls' holds ${JSON.stringify(item)}, not a class index; a multilabel 'cls' is class indices separated by commas or spaces`);
    const i = Number(item);
    if (i >= c.classes) throw fail(c, `class ${i} is out of range: ${c.classesSource} has ${c.classes} classes (0..${c.classes - 1}); fix the sample's label or the class names`);
    out[i] = 1;
  }
  return out;
}
