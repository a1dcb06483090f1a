/**
 * CSV fields as Python's csv module (and the project's readers) expect: a field is quoted when it holds a comma,
 * a quote, a line break or edge spaces, with quotes doubled inside.
 */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly (string | number)[]): string {
  return fields.map((f) => csvField(String(f))).join(",") + "\n";
}
