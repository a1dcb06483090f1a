/**
 * Class names: a JSON list whose items are names or non-empty lists of synonyms (SLIP's labels.json style;
 * the first synonym is the reported name), or a text file with one name per line. Position = class index.
 */
import { FormatError } from "../errors/format_error.js";
import { readListFile } from "./read_list.js";
import type { EvalClass } from "./types.js";

function nameAt(v: unknown, file: string, where: string): string {
  if (typeof v !== "string" || v.trim() === "") {
    throw new FormatError(`class name ${where} must be a non-empty string, got ${JSON.stringify(v)}`, { file });
  }
  return v;
}

export async function readClassNames(file: string): Promise<EvalClass[]> {
  const list = await readListFile(file, "classes", "class names");
  if (list.kind === "lines") return list.items.map(({ text }) => ({ name: text, synonyms: [text] }));
  return list.items.map((item, i) => {
    if (Array.isArray(item)) {
      if (item.length === 0) throw new FormatError(`class ${i} is an empty list of synonyms`, { file });
      const synonyms = item.map((s, j) => nameAt(s, file, `${i}[${j}]`));
      return { name: synonyms[0]!, synonyms };
    }
    const name = nameAt(item, file, `${i}`);
    return { name, synonyms: [name] };
  });
}

/** Classes from names given in code (the trainer's or a test's own list). */
export function classesFromNames(names: readonly (string | readonly string[])[]): EvalClass[] {
  return names.map((n) => {
    const synonyms = typeof n === "string" ? [n] : [...n];
    if (synonyms.length === 0) throw new RangeError("a class needs at least one name");
    return { name: synonyms[0]!, synonyms };
  });
}
