/**
 * Where results go, named as CLIP_benchmark names them: `--out DIR` writes
 * `{dataset}_{pretrained}_{model}_{language}_{task}.json` per result (dataset without `wds/`, slashes as `_`;
 * pretrained the checkpoint's base name), `--out FILE` one result, and an `--out` holding `{dataset}`-style
 * fields is filled in per result, as CLIP_benchmark's --output template is.
 */
import { existsSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { writeAll, writeFileAtomic } from "../io/file/atomic_write.js";
import type { TaskResult } from "./benchmark_types.js";

/** Characters a file name can hold safely; the rest become `_` (a model described in words has spaces). */
const slug = (s: string): string => s.replace(/[^A-Za-z0-9._+=-]+/g, "_");

function fields(r: TaskResult): Record<string, string> {
  return {
    dataset: slug(r.dataset.replace(/^wds\//, "").replaceAll("/", "_")),
    pretrained: slug(basename(r.pretrained.replace(/\/+$/, ""))),
    pretrained_full_path: slug(r.pretrained.replaceAll("/", "_")),
    model: slug(r.model),
    language: r.language,
    task: r.task,
  };
}

/** CLIP_benchmark's file name for a result. */
export function resultFileName(r: TaskResult): string {
  const f = fields(r);
  return `${f.dataset}_${f.pretrained}_${f.model}_${f.language}_${f.task}.json`;
}

function fill(template: string, r: TaskResult): string {
  const f = fields(r);
  return template.replace(/\{(\w+)\}/g, (m, k: string) => f[k] ?? m);
}

/** Whether `out` takes several results: a directory (ends with / or exists) or a template with {fields}. */
export function outTakesMany(out: string): boolean {
  return out.endsWith("/") || (existsSync(out) && statSync(out).isDirectory()) || /\{\w+\}/.test(out);
}

/** The file result `r` goes to under `out` (a directory, a template, or one file). */
export function resultPath(out: string, r: TaskResult): string {
  if (out.endsWith("/") || (existsSync(out) && statSync(out).isDirectory())) return join(out, resultFileName(r));
  return /\{\w+\}/.test(out) ? fill(out, r) : out;
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  const bytes = new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
  await writeFileAtomic(path, async (h) => void (await writeAll(h, bytes, 0)));
}
