/**
 * Command-line overrides `section.key=value` (`--set optim.lr=5e-4`). The value is read according to the key's
 * type, so a string key takes the text as it is (a shard pattern `{000..009}` stays a string), a number key
 * needs a number, a list key takes a YAML flow list `[a, b]` or comma-separated items, and `null` clears a
 * nullable key.
 */
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../../errors/config_error.js";
import { FIELD_BY_KEY, type Field } from "./schema.js";
import { isObject } from "./validate.js";

export function parseOverride(text: string): { key: string; value: unknown } {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new ConfigError(`override '${text}' is not of the form section.key=value`);
  const key = text.slice(0, eq).trim();
  const field = FIELD_BY_KEY.get(key);
  if (!field) throw new ConfigError(`override '${text}': unknown key '${key}' (run with --print-config to see all keys)`, key);
  return { key, value: parseValue(field, text.slice(eq + 1).trim()) };
}

function parseValue(field: Field, raw: string): unknown {
  if (field.nullable && raw === "null") return null;
  const t = field.type.t;
  const fail = (what: string) => new ConfigError(`override ${field.key}=${raw}: expected ${what}`, field.key);
  switch (t) {
    case "string":
    case "enum":
      return raw;
    case "int":
    case "number": {
      const n = raw === "" ? NaN : Number(raw);
      if (!Number.isFinite(n)) throw fail("a number");
      return n;
    }
    case "bool":
      if (raw === "true" || raw === "false") return raw === "true";
      throw fail("true or false");
    case "strings":
    case "pair": {
      const items = raw.startsWith("[") ? yamlValue(raw, fail) : raw === "" ? [] : raw.split(",").map((s) => s.trim());
      if (!Array.isArray(items)) throw fail("a list");
      return t === "pair" ? items.map((x) => (typeof x === "string" ? Number(x) : x)) : items.map(String);
    }
    case "weights": {
      const v = raw.startsWith("{") ? yamlValue(raw, fail) : Object.fromEntries(raw.split(",").map((kv) => kv.split(":").map((s) => s.trim())).map(([k, v]) => [k, Number(v)]));
      if (!isObject(v)) throw fail("a mapping like {original: 2, chatgpt: 1}");
      return v;
    }
  }
}

function yamlValue(raw: string, fail: (what: string) => ConfigError): unknown {
  try {
    return parseYaml(raw);
  } catch (err) {
    const e = fail("a YAML flow value");
    throw new ConfigError(`${e.message} (${(err as Error).message.split("\n")[0]})`, e.key, { cause: err });
  }
}

/** Sets `key` (dotted) in a plain config object, creating its section when needed. */
export function setPath(obj: Record<string, unknown>, key: string, value: unknown): void {
  const [section, name] = key.split(".") as [string, string];
  const body = isObject(obj[section]) ? obj[section] : (obj[section] = {});
  (body as Record<string, unknown>)[name] = value;
}
