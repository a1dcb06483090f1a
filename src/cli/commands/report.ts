/**
 * `laclip report RUN_DIR... --out report.html`: one self-contained HTML page (inline SVG charts, no network)
 * from `laclip train` output folders and `laclip demo` work dirs. Options are only parsed here; the page is
 * src/report (docs/demo.md).
 */
import { ConfigError } from "../../errors/config_error.js";
import { parseCommandArgs } from "../parse_command_args.js";

export const summary = "an HTML report (curves, per-task accuracy with intervals, samples) from train runs or a demo work dir";

const USAGE = `usage: laclip report RUN_DIR... [--out report.html] [--title TEXT]
  RUN_DIR   a laclip train output folder (config.yaml, metrics.jsonl), or a demo work dir / its result folder
  --out     the HTML file to write (default report.html)`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({ args: argv, options: { out: { type: "string" }, title: { type: "string" }, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true }, USAGE);
  if (parsed.values.help) return console.log(USAGE), 0;
  if (parsed.positionals.length === 0) throw new ConfigError(`give at least one RUN_DIR\n${USAGE}`, "RUN_DIR");
  const out = parsed.values.out ?? "report.html";
  const { writeReport } = await import("../../report/index.js");
  const r = await writeReport(parsed.positionals, out, { title: parsed.values.title });
  process.stdout.write(`report: ${out} (${r.runs} run${r.runs === 1 ? "" : "s"}${r.demos > 0 ? `, ${r.demos} demo result${r.demos === 1 ? "" : "s"}` : ""})\n`);
  return 0;
}
