/**
 * A standalone SVG document for a resolved Iconify icon at `size` x `size` pixels. Flips mirror the body about
 * the centre of its box, then quarter turns rotate it about that centre (the box's sides swap for odd turns);
 * a non-square box is centred with its aspect kept (SVG's default `xMidYMid meet`).
 */
import type { ResolvedIcon } from "./icon_set.js";

export function iconSvg(icon: ResolvedIcon, size: number): string {
  const { left, top, width, height } = icon;
  const cx = left + width / 2;
  const cy = top + height / 2;
  let body = icon.body;
  const flips: string[] = [];
  if (icon.hFlip) flips.push(`translate(${2 * left + width} 0) scale(-1 1)`);
  if (icon.vFlip) flips.push(`translate(0 ${2 * top + height}) scale(1 -1)`);
  if (flips.length) body = `<g transform="${flips.join(" ")}">${body}</g>`;
  let box = [left, top, width, height];
  if (icon.rotate) {
    body = `<g transform="rotate(${90 * icon.rotate} ${cx} ${cy})">${body}</g>`;
    if (icon.rotate % 2 === 1) box = [cx - height / 2, cy - width / 2, height, width];
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${size}" height="${size}" viewBox="${box.join(" ")}">${body}</svg>`
  );
}
