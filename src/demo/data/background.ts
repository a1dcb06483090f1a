/**
 * Image backgrounds. Emoji artwork is transparent, so every render is flattened onto a colour: white by default
 * (the look of an emoji on a page), a fixed colour on request, or `random`: a solid colour drawn per (seed, style,
 * emoji) image, uniform in each channel, so a model cannot key on the background and reruns get the same pixels.
 */
import { ConfigError } from "../../errors/config_error.js";
import { Rng, deriveSeed } from "../../util/rng.js";

export type Background = "white" | "random" | `#${string}`;

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export function checkBackground(bg: string): Background {
  if (bg === "white" || bg === "random" || /^#[0-9a-fA-F]{6}$/.test(bg)) return bg as Background;
  throw new ConfigError(`background '${bg}' is not 'white', 'random' or a colour #rrggbb`, "background");
}

export function backgroundColour(bg: Background, seed: number, style: string, key: string): Rgb {
  if (bg === "white") return { r: 255, g: 255, b: 255 };
  if (bg === "random") {
    const rng = new Rng(deriveSeed(seed, "demo-background", style, key));
    return { r: rng.int(256), g: rng.int(256), b: rng.int(256) };
  }
  const v = parseInt(bg.slice(1), 16);
  return { r: (v >> 16) & 255, g: (v >> 8) & 255, b: v & 255 };
}

export function rgbHex(c: Rgb): string {
  return [c.r, c.g, c.b].map((x) => x.toString(16).padStart(2, "0")).join("");
}
