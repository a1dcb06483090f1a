/** The few lines `prepareDemoData` prints: per-style matches, the emoji kept and why others left, the files. */
import type { DemoDataSettings } from "./options.js";
import type { PreparedDemoData } from "./types.js";

export function summaryLines(settings: DemoDataSettings, r: PreparedDemoData): string[] {
  const c = r.counts;
  const styles = Object.entries(c.styles).map(([name, s]) => `${name}@${s.version} ${s.matched}`);
  const lines = [
    `demo data: emojibase ${c.catalogue} emoji; drawn per style: ${styles.join(", ")}; in all styles: ${c.inAllStyles}`,
    `demo data: kept ${c.emoji} emoji (${c.droppedDuplicateEval} dropped as identical pictures in an eval style, ` +
      `${c.droppedRenderFailures} for failed renders${settings.maxEmoji !== undefined ? `, subset of ${settings.maxEmoji} by seed ${settings.seed}` : ""}); ` +
      `${c.subgroups} subgroups; ${c.duplicateTrainGlyphs} share a picture in a training style (kept)`,
    `demo data: ${c.trainImages} training images (${settings.trainStyles.join(",")}), ${c.evalImages} held out ` +
      `(${settings.evalStyles.join(",")}); ${settings.size}px, ${settings.background} background; renders ${c.rendered} new, ` +
      `${c.cached} cached, ${c.failed} failed; ${r.seconds.toFixed(1)} s`,
    `demo data: ${r.trainCsv}`,
  ];
  return lines;
}
