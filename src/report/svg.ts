/**
 * The report's charts as inline SVG strings: no script, no fonts or files from elsewhere, readable printed in
 * black and white (every series has its own dash pattern or marker as well as its colour).
 *
 *   lineChart({ id, title, xLabel, yLabel, series: [{ label, color, dash, points: [[x, y], ...] }] })
 *   intervalChart({ id, title, rows: [{ label, color, points, mean, lo, hi }], refs: [{ value, label }] })
 */

/** Text for HTML and SVG: the five characters that could end an attribute or start a tag, escaped. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  // whole multiples of the step, written without binary round-off (0.6, not 0.6000000000000001)
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return out;
}

const fmt = (v: number): string => {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
};

export interface Series {
  label: string;
  color: string;
  /** stroke-dasharray, e.g. "6 3"; empty for a solid line. */
  dash?: string;
  points: [number, number][];
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const FRAME: Frame = { width: 560, height: 260, left: 58, right: 12, top: 26, bottom: 40 };

function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

function extent(vs: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of vs) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  return [lo, hi];
}

const n2 = (v: number): string => v.toFixed(1);

/** A line chart with one polyline per series and a legend under the title. */
export function lineChart(o: { id: string; title: string; xLabel: string; yLabel: string; series: Series[]; yMin?: number }): string {
  const f = FRAME;
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = o.series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = extent(xs);
  let [y0, y1] = extent(ys);
  if (o.yMin !== undefined) y0 = Math.min(y0, o.yMin);
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - (o.yMin !== undefined && y0 === o.yMin ? 0 : pad), y1 + pad];
  // legend columns as wide as the longest label (about 6 px a character at 11 px)
  const colWidth = 34 + 6 * Math.max(1, ...o.series.map((s) => s.label.length));
  const cols = Math.max(1, Math.min(o.series.length, Math.floor((f.width - f.left) / colWidth)));
  const legendRows = Math.ceil(o.series.length / cols);
  const top = f.top + legendRows * 14;
  const height = f.height + legendRows * 14;
  const sx = scale(x0, x1, f.left, f.width - f.right);
  const sy = scale(y0, y1, height - f.bottom, top);
  const parts: string[] = [];
  parts.push(`<svg id="${esc(o.id)}" class="chart line-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${height}" role="img" aria-label="${esc(o.title)}">`);
  parts.push(`<title>${esc(o.title)}</title>`);
  parts.push(`<text x="${f.left}" y="14" class="t">${esc(o.title)}</text>`);
  for (const t of niceTicks(y0, y1)) parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${n2(sy(t))}" y2="${n2(sy(t))}" class="grid"/><text x="${f.left - 4}" y="${n2(sy(t) + 3)}" class="tick" text-anchor="end">${fmt(t)}</text>`);
  for (const t of niceTicks(x0, x1)) parts.push(`<text x="${n2(sx(t))}" y="${height - f.bottom + 14}" class="tick" text-anchor="middle">${fmt(t)}</text>`);
  parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${height - f.bottom}" y2="${height - f.bottom}" class="axis"/><line x1="${f.left}" x2="${f.left}" y1="${top}" y2="${height - f.bottom}" class="axis"/>`);
  parts.push(`<text x="${(f.left + f.width - f.right) / 2}" y="${height - 6}" class="label" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text x="12" y="${(top + height - f.bottom) / 2}" class="label" text-anchor="middle" transform="rotate(-90 12 ${(top + height - f.bottom) / 2})">${esc(o.yLabel)}</text>`);
  o.series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])).map((p) => `${n2(sx(p[0]))},${n2(sy(p[1]))}`).join(" ");
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : "";
    parts.push(`<polyline class="series" data-label="${esc(s.label)}" points="${pts}" fill="none" stroke="${s.color}" stroke-width="1.5"${dash}/>`);
    const lx = f.left + (i % cols) * colWidth;
    const ly = f.top + Math.floor(i / cols) * 14 + 2;
    parts.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${dash}/><text x="${lx + 26}" y="${ly}" class="legend">${esc(s.label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

export interface IntervalRow {
  label: string;
  color: string;
  /** One value per seed. */
  points: number[];
  mean: number;
  /** The 95% interval; null draws no bar. */
  lo: number | null;
  hi: number | null;
}

/**
 * One row per group: the per-seed values as open circles, the mean as a filled diamond and the 95% interval as
 * a bar with caps; vertical reference lines (chance, zero) dashed and labelled.
 */
export function intervalChart(o: { id: string; title: string; unit: string; rows: IntervalRow[]; refs?: { value: number; label: string }[] }): string {
  const width = 300;
  const left = 66;
  const right = 14;
  const top = 24;
  const rowH = 26;
  const height = top + o.rows.length * rowH + 34;
  const vals = [...o.rows.flatMap((r) => [...r.points, r.mean, r.lo ?? r.mean, r.hi ?? r.mean]), ...(o.refs ?? []).map((r) => r.value)];
  let [x0, x1] = extent(vals);
  const pad = (x1 - x0) * 0.08;
  [x0, x1] = [x0 - pad, x1 + pad];
  const sx = scale(x0, x1, left, width - right);
  const bottom = top + o.rows.length * rowH;
  const parts: string[] = [];
  parts.push(`<svg id="${esc(o.id)}" class="chart interval-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(o.title)}">`);
  parts.push(`<title>${esc(o.title)}</title><text x="4" y="14" class="t">${esc(o.title)}</text>`);
  for (const t of niceTicks(x0, x1, 4)) parts.push(`<line x1="${n2(sx(t))}" x2="${n2(sx(t))}" y1="${top}" y2="${bottom}" class="grid"/><text x="${n2(sx(t))}" y="${bottom + 13}" class="tick" text-anchor="middle">${fmt(t)}${esc(o.unit)}</text>`);
  for (const r of o.refs ?? []) {
    parts.push(`<line class="ref" x1="${n2(sx(r.value))}" x2="${n2(sx(r.value))}" y1="${top - 4}" y2="${bottom}" stroke-dasharray="4 3"/>`);
    if (r.label !== "") parts.push(`<text x="${n2(sx(r.value) + 3)}" y="${bottom + 26}" class="reflabel">${esc(r.label)}</text>`);
  }
  o.rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    parts.push(`<g class="row" data-label="${esc(r.label)}"><text x="4" y="${y + 4}" class="legend">${esc(r.label)}</text>`);
    if (r.lo !== null && r.hi !== null) {
      const [a, b] = [sx(r.lo), sx(r.hi)];
      parts.push(`<path class="ci" d="M${n2(a)} ${y}H${n2(b)}M${n2(a)} ${y - 6}V${y + 6}M${n2(b)} ${y - 6}V${y + 6}" stroke="${r.color}" stroke-width="1.5" fill="none"/>`);
    }
    for (const p of r.points) parts.push(`<circle class="seed" cx="${n2(sx(p))}" cy="${y - 7}" r="3" fill="none" stroke="${r.color}"/>`);
    const m = sx(r.mean);
    parts.push(`<path class="mean" d="M${n2(m)} ${y - 5}L${n2(m + 5)} ${y}L${n2(m)} ${y + 5}L${n2(m - 5)} ${y}Z" fill="${r.color}"/></g>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
