/**
 * Renders (emoji, style) pictures to RGB PNG files through an on-disk cache. A file's path names everything its
 * pixels depend on: the set and its package version, libvips' version (librsvg draws the SVG), this renderer's
 * revision, the size, the icon and the background colour; so a rerun renders nothing, and a changed input renders
 * afresh instead of reusing stale pixels. Files are written to a temporary name and renamed, so a killed run
 * never leaves a truncated PNG that a later run would trust. An icon librsvg cannot draw, or that draws nothing
 * but background, is counted, named in a log line and skipped.
 */
import { existsSync } from "node:fs";
import { mkdir, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { rgbHex, type Rgb } from "./background.js";
import type { IconSet } from "./icon_set.js";
import { resolveIcon } from "./icon_set.js";
import { mapLimit } from "./map_limit.js";
import { iconSvg } from "./svg.js";

/** Bump when svg.ts or the pixel pipeline below changes what a file holds. */
const RENDER_REVISION = 1;

export interface RenderJob {
  set: IconSet;
  icon: string;
  background: Rgb;
}

export interface RenderFailure {
  style: string;
  icon: string;
  reason: string;
}

export interface RenderReport {
  /** Absolute path per job, undefined where the render failed. */
  files: (string | undefined)[];
  rendered: number;
  cached: number;
  failures: RenderFailure[];
}

export interface RenderOptions {
  cacheDir: string;
  size: number;
  concurrency: number;
  log: (line: string) => void;
}

export function cachePath(cacheDir: string, job: RenderJob, size: number): string {
  const dir = `${job.set.name}@${job.set.version}`;
  const engine = `vips${sharp.versions.vips}-r${RENDER_REVISION}`;
  // Iconify names are [a-z0-9-]; anything else is escaped so a name can never climb out of the folder
  const icon = /^[a-z0-9][a-z0-9_-]*$/i.test(job.icon) ? job.icon : encodeURIComponent(job.icon).replace(/\./g, "%2E");
  return join(cacheDir, dir, engine, `${size}px`, `${icon}_${rgbHex(job.background)}.png`);
}

export async function renderAll(jobs: readonly RenderJob[], options: RenderOptions): Promise<RenderReport> {
  const report: RenderReport = { files: [], rendered: 0, cached: 0, failures: [] };
  report.files = await mapLimit(jobs, options.concurrency, async (job) => {
    const file = cachePath(options.cacheDir, job, options.size);
    if (existsSync(file)) {
      report.cached++;
      return file;
    }
    let png: Buffer;
    try {
      png = await renderPng(job, options.size);
    } catch (err) {
      const reason = err instanceof Error ? err.message.split("\n")[0]! : String(err);
      report.failures.push({ style: job.set.name, icon: job.icon, reason });
      options.log(`skipped ${job.set.name}:${job.icon}: ${reason}`);
      return undefined;
    }
    await writeAtomic(file, png); // a write error (disk full) is the run's problem, not the icon's: it throws
    report.rendered++;
    return file;
  });
  report.failures.sort((a, b) => (a.style + a.icon < b.style + b.icon ? -1 : 1));
  return report;
}

async function renderPng(job: RenderJob, size: number): Promise<Buffer> {
  const icon = resolveIcon(job.set, job.icon);
  if (!icon) throw new Error("no such icon or alias");
  const svg = Buffer.from(iconSvg(icon, size));
  const { data, info } = await sharp(svg)
    .flatten({ background: job.background })
    .toColourspace("srgb")
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 3) {
    throw new Error(`rendered ${info.width}x${info.height}x${info.channels}, expected ${size}x${size}x3`);
  }
  if (isBlank(data, job.background)) throw new Error("the SVG draws nothing (all background)");
  return sharp(data, { raw: { width: size, height: size, channels: 3 } }).png({ compressionLevel: 9, adaptiveFiltering: false }).toBuffer();
}

function isBlank(rgb: Buffer, bg: Rgb): boolean {
  for (let i = 0; i < rgb.length; i += 3) {
    if (rgb[i] !== bg.r || rgb[i + 1] !== bg.g || rgb[i + 2] !== bg.b) return false;
  }
  return true;
}

async function writeAtomic(file: string, bytes: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
