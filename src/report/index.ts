/**
 * `laclip report`: one self-contained HTML page from training runs and demo results (docs/demo.md).
 *
 *   await writeReport([".work/demo"], "report.html");
 */
import { writeFileAtomic } from "../io/file/atomic_write.js";
import { reportHtml } from "./html.js";
import { readReportInputs } from "./read.js";

export { reportHtml, smooth, methodColor } from "./html.js";
export { readReportInputs, readRunDir, type DemoInput, type EvalPoint, type ReportInput, type RunCurves, type TrainPoint } from "./read.js";
export { esc, intervalChart, lineChart, niceTicks, type IntervalRow, type Series } from "./svg.js";

/** Reads the folders, writes the page to `out` (atomically) and returns what it read. */
export async function writeReport(dirs: readonly string[], out: string, o: { title?: string } = {}): Promise<{ runs: number; demos: number }> {
  const input = await readReportInputs(dirs);
  const html = await reportHtml(input, o);
  await writeFileAtomic(out, async (h) => {
    await h.writeFile(html);
  });
  return { runs: input.runs.length, demos: input.demos.length };
}
