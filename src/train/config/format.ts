/**
 * Prints a config in full as YAML with each key's meaning as a comment (what `laclip train` shows at start and
 * `--print-config` emits as a template), and saves it next to the checkpoints, atomically, so a run's settings
 * are always those of its checkpoints.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Document, isMap, isScalar, isSeq, type Pair } from "yaml";
import { writeFileAtomic } from "../../io/file/atomic_write.js";
import { FIELD_BY_KEY, SECTION_DOCS } from "./schema.js";
import type { TrainConfig } from "./types.js";

export function formatConfig(cfg: TrainConfig, comments = true): string {
  const doc = new Document(cfg);
  if (isMap(doc.contents)) {
    for (const sec of doc.contents.items as Pair[]) {
      const section = String(isScalar(sec.key) ? sec.key.value : sec.key);
      if (comments && isScalar(sec.key) && SECTION_DOCS[section]) sec.key.commentBefore = ` ${SECTION_DOCS[section]}`;
      if (!isMap(sec.value)) continue;
      for (const item of sec.value.items as Pair[]) {
        const name = String(isScalar(item.key) ? item.key.value : item.key);
        const field = FIELD_BY_KEY.get(`${section}.${name}`);
        if (comments && field && isScalar(item.key)) item.key.commentBefore = ` ${field.doc}`;
        if (isSeq(item.value) || isMap(item.value)) item.value.flow = true;
      }
    }
  }
  return doc.toString({ lineWidth: 0 });
}

export const CONFIG_FILE = "config.yaml";

/** Writes `dir/config.yaml` atomically (temp file, fsync, rename), so a crash never leaves half a config. */
export async function saveConfig(cfg: TrainConfig, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, CONFIG_FILE);
  await writeFileAtomic(path, async (handle) => {
    await handle.writeFile(formatConfig(cfg));
  });
  return path;
}

/** The keys of `cfg` whose values differ from `base`, as YAML sections (empty when none differs). */
export function formatConfigChanges(base: TrainConfig, cfg: TrainConfig): string {
  const changed: Record<string, Record<string, unknown>> = {};
  for (const [section, body] of Object.entries(cfg) as [string, Record<string, unknown>][]) {
    const from = (base as unknown as Record<string, Record<string, unknown>>)[section] ?? {};
    for (const [key, value] of Object.entries(body)) {
      if (JSON.stringify(value) !== JSON.stringify(from[key])) (changed[section] ??= {})[key] = value;
    }
  }
  return Object.keys(changed).length === 0 ? "" : formatConfig(changed as unknown as TrainConfig, false);
}
