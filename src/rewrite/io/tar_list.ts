/**
 * Resolves WebDataset input to a sorted list of tar files: a directory (its `*.tar` files), tar paths, and brace
 * patterns as webdataset/open_clip write them (`shards/{00000..00099}.tar`, `{a,b}.tar`). Sorting makes the global
 * index (sample position across all tars) independent of how the list was spelled.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";

export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf("{");
  if (open === -1) return [pattern];
  let depth = 0;
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === "{") depth++;
    else if (pattern[i] === "}" && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close === -1) throw new ConfigError(`unbalanced '{' in input pattern '${pattern}'`, "--input");
  const head = pattern.slice(0, open);
  const body = pattern.slice(open + 1, close);
  const tails = expandBraces(pattern.slice(close + 1));
  const range = /^(\d+)\.\.(\d+)$/.exec(body);
  let choices: string[];
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    const width = range[1]!.startsWith("0") ? range[1]!.length : 0;
    if (to < from) throw new ConfigError(`empty range {${body}} in input pattern '${pattern}'`, "--input");
    choices = Array.from({ length: to - from + 1 }, (_, k) => String(from + k).padStart(width, "0"));
  } else {
    choices = splitTopLevel(body).flatMap(expandBraces);
  }
  return choices.flatMap((c) => tails.map((t) => head + c + t));
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "{") depth++;
    else if (body[i] === "}") depth--;
    else if (body[i] === "," && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

export async function listTars(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const info = input.includes("{") ? undefined : await stat(input).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(input)).filter((n) => n.endsWith(".tar"));
      if (names.length === 0) throw new ConfigError(`${input} holds no .tar files`, "--input");
      out.push(...names.map((n) => join(input, n)));
      continue;
    }
    for (const path of expandBraces(input)) {
      const s = await stat(path).catch(() => undefined);
      if (!s?.isFile()) throw new ConfigError(`tar file not found: ${path}`, "--input");
      out.push(path);
    }
  }
  out.sort();
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1]) throw new ConfigError(`tar file listed twice: ${out[i]}`, "--input");
  }
  return out;
}
