/** One line of a parity report: a quantity of one family (or the tokenizer cases) against the reference. */
export interface ParityResult {
  /** The parity directory. */
  dir: string;
  /** The family subdirectory (`laclip_slip`, `open_clip`, ...) or `tokenizer`. */
  family: string;
  /** What was compared: `image_embed`, `loss`, `grad`, `token_ids`, ... */
  quantity: string;
  /** Elements (or cases, or keys) compared. */
  n: number;
  /** Largest |got - want|; for key and id checks, the number of keys or ids that differ. */
  maxAbsErr: number;
  /** Largest |got - want| / |want| over elements with |want| >= atol (below that a relative error means nothing). */
  maxRelErr: number;
  atol: number;
  rtol: number;
  /** Every element within atol + rtol * |want|. */
  ok: boolean;
  /** Where the largest excess over tolerance sits (a parameter name, a case index), or what went wrong. */
  detail?: string;
}

/** Tolerances the reference fixtures support (fp32, CPU); see ../shared/README.md. */
export const TOLERANCE = {
  output: { atol: 1e-5, rtol: 1e-4 },
  grad: { atol: 1e-5, rtol: 1e-3 },
  exact: { atol: 0, rtol: 0 },
} as const;

export type Tolerance = { atol: number; rtol: number };

/** A failed check that could not compute numbers (a missing file, a config it cannot build). */
export function failure(dir: string, family: string, quantity: string, detail: string): ParityResult {
  return { dir, family, quantity, n: 0, maxAbsErr: Number.NaN, maxRelErr: Number.NaN, atol: 0, rtol: 0, ok: false, detail };
}

/** JSON with NaN written as null (JSON has no NaN). */
export function formatResult(r: ParityResult): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v));
}
