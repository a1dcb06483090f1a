/**
 * Prompt templates: strings with a `{}` (or `{c}`, CLIP_benchmark's spelling, or `{0}`) where the class name
 * goes; `{{` and `}}` are literal braces, as in Python's str.format. A template set is a JSON list or a text
 * file (one per line), or a built-in name (`laclip-7`, `openai-80`).
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { projectRoot } from "../util/project_root.js";
import { ConfigError } from "../errors/config_error.js";
import { FormatError } from "../errors/format_error.js";
import { readListFile } from "./read_list.js";

export interface TemplateSet {
  /** The built-in name, or the file's base name. */
  name: string;
  templates: string[];
}

/**
 * `laclip-7`: the seven ImageNet templates of SLIP's templates.json (facebookresearch/SLIP, key "imagenet"),
 * which LaCLIP's zero-shot evaluation of its CC3M/CC12M/RedCaps models reuses; they are the 7-template subset
 * OpenAI's prompt-engineering notebook selected from its 80.
 */
export const BUILTIN_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  "laclip-7": [
    "itap of a {}.",
    "a bad photo of the {}.",
    "a origami {}.",
    "a photo of the large {}.",
    "a {} in a video game.",
    "art of the {}.",
    "a photo of the small {}.",
  ],
};

const TOKEN = /\{\{|\}\}|\{[^{}]*\}|[{}]/g;

/** Throws unless `t` has at least one placeholder and no other braces; `where` names it in the message. */
export function checkTemplate(t: string, where: { file: string; line?: number; key?: string }): void {
  let placeholders = 0;
  for (const m of t.matchAll(TOKEN)) {
    const tok = m[0];
    if (tok === "{}" || tok === "{c}" || tok === "{0}") placeholders++;
    else if (tok !== "{{" && tok !== "}}") {
      throw new FormatError(`template ${JSON.stringify(t)} has '${tok}'; the class name goes in '{}' (or '{c}'), and a literal brace is written '{{' or '}}'`, where);
    }
  }
  if (placeholders === 0) throw new FormatError(`template ${JSON.stringify(t)} has no '{}' for the class name`, where);
}

/** The template with every placeholder replaced by `name` and `{{`/`}}` unescaped. */
export function fillTemplate(template: string, name: string): string {
  return template.replace(TOKEN, (tok) => (tok === "{{" ? "{" : tok === "}}" ? "}" : name));
}

/** A built-in name (`laclip-7`) or the path of a JSON list / text file of templates. */
export async function readTemplates(spec: string): Promise<TemplateSet> {
  const builtin = BUILTIN_TEMPLATES[spec];
  if (builtin !== undefined && !existsSync(spec)) return { name: spec, templates: [...builtin] };
  if (spec === "openai-80" && !existsSync(spec)) {
    // CLIP's 80 ImageNet templates, shipped in data/zeroshot/ (source and licence in its README)
    const file = join(projectRoot(), "data", "zeroshot", "imagenet_templates_80.json");
    if (!existsSync(file)) throw new ConfigError(`the 80 OpenAI ImageNet templates should be at ${file}; reinstall laclip or pass their JSON list file`, "templates");
    return { name: spec, templates: (await readTemplates(file)).templates };
  }
  const list = await readListFile(spec, "templates", "templates");
  const templates: string[] = [];
  if (list.kind === "json") {
    list.items.forEach((t, i) => {
      if (typeof t !== "string") throw new FormatError(`template ${i} must be a string, got ${JSON.stringify(t)}`, { file: spec });
      checkTemplate(t, { file: spec, key: String(i) });
      templates.push(t);
    });
  } else {
    for (const { text, line } of list.items) {
      checkTemplate(text, { file: spec, line });
      templates.push(text);
    }
  }
  return { name: basename(spec), templates };
}
