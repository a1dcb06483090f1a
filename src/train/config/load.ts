/**
 * Loads a training config: the defaults of schema.ts, then a JSON or YAML file over them (a file may start from
 * another with `extends: other.yaml`, relative to itself), then `section.key=value` overrides, then validation.
 * Paths inside the config are used as written (relative to the working directory).
 */
import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { ConfigError } from "../../errors/config_error.js";
import { FIELDS } from "./schema.js";
import { parseOverride, setPath } from "./overrides.js";
import { isObject, validateConfig } from "./validate.js";
import type { TrainConfig } from "./types.js";

export function defaultConfig(): TrainConfig {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) setPath(out, f.key, structuredClone(f.default));
  return out as unknown as TrainConfig;
}

export interface LoadOptions {
  file?: string;
  /** `section.key=value` strings, applied in order after the file. */
  overrides?: string[];
  /** Default true; false returns the merged values unchecked (a base to compare a checked config with). */
  validate?: boolean;
}

export async function loadConfig(options: LoadOptions = {}): Promise<TrainConfig> {
  const merged = defaultConfig() as unknown as Record<string, unknown>;
  if (options.file) mergeInto(merged, await readConfigFile(options.file, []));
  for (const text of options.overrides ?? []) {
    const { key, value } = parseOverride(text);
    setPath(merged, key, value);
  }
  if (options.validate === false) return merged as unknown as TrainConfig;
  const origin = [options.file ?? "defaults", ...(options.overrides?.length ? ["command-line overrides"] : [])].join(" + ");
  return validateConfig(merged, origin);
}

/** The file's own settings over those of the file it `extends`, not yet merged with the defaults. */
async function readConfigFile(file: string, chain: string[]): Promise<Record<string, unknown>> {
  const path = resolve(file);
  if (chain.includes(path)) throw new ConfigError(`${file}: 'extends' loops: ${[...chain, path].join(" -> ")}`, "extends");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, undefined, { cause: err });
  }
  let raw: unknown;
  try {
    raw = extname(path) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : "";
    throw new ConfigError(`${file}: not valid ${extname(path) === ".json" ? "JSON" : "YAML"}${where}: ${(err as Error).message.split("\n")[0]}`, undefined, { cause: err });
  }
  raw ??= {};
  if (!isObject(raw)) throw new ConfigError(`${file}: a config file must be a mapping of sections`);
  const { extends: base, ...own } = raw;
  if (base === undefined) return own;
  if (typeof base !== "string") throw new ConfigError(`${file}: 'extends' must be a file path`, "extends");
  const merged = await readConfigFile(resolve(dirname(path), base), [...chain, path]);
  mergeInto(merged, own);
  return merged;
}

/** Section by section, key by key: values of `over` replace those of `into` (lists and weight maps whole). */
function mergeInto(into: Record<string, unknown>, over: Record<string, unknown>): void {
  for (const [section, body] of Object.entries(over)) {
    if (isObject(body) && isObject(into[section])) Object.assign(into[section] as Record<string, unknown>, body);
    else into[section] = body;
  }
}
