/**
 * The three graphs of transformers.js's CLIP layout, with Optimum's input and output names:
 * - `model`:        input_ids, pixel_values, attention_mask → logits_per_image (images, texts), logits_per_text,
 *                   text_embeds and image_embeds (both L2-normalised), as transformers' CLIPModel returns them;
 * - `text_model`:   input_ids, attention_mask → text_embeds (projected, not normalised: CLIPTextModelWithProjection);
 * - `vision_model`: pixel_values → image_embeds (projected, not normalised: CLIPVisionModelWithProjection).
 */
import type { ClipConfig } from "../../models/clip/config.js";
import { GraphBuilder } from "./graph.js";
import type { OnnxModel } from "./proto.js";
import { l2Normalize, textTower } from "./text.js";
import { visionTower } from "./vision.js";
import type { GraphWeights } from "./weights.js";

export type ClipGraphName = "model" | "text_model" | "vision_model";
export const CLIP_GRAPHS: readonly ClipGraphName[] = ["model", "text_model", "vision_model"];

const TEXT_DIMS = ["text_batch_size", "sequence_length"];

function pixelDims(c: ClipConfig): Array<number | string> {
  return ["image_batch_size", 3, c.vision.imageSize, c.vision.imageSize];
}

export function buildClipGraph(name: ClipGraphName, c: ClipConfig, w: GraphWeights, producerVersion: string): OnnxModel {
  const g = new GraphBuilder(`laclip_${name}`);
  const d = c.embedDim;
  if (name === "text_model") {
    const ids = g.input("input_ids", "int64", TEXT_DIMS);
    const mask = g.input("attention_mask", "int64", TEXT_DIMS);
    g.output("text_embeds", textTower(g, w, c, ids, mask), "float", ["text_batch_size", d]);
  } else if (name === "vision_model") {
    const pixels = g.input("pixel_values", "float", pixelDims(c));
    g.output("image_embeds", visionTower(g, w, c, pixels), "float", ["image_batch_size", d]);
  } else {
    const ids = g.input("input_ids", "int64", TEXT_DIMS);
    const pixels = g.input("pixel_values", "float", pixelDims(c));
    const mask = g.input("attention_mask", "int64", TEXT_DIMS);
    const text = l2Normalize(g, textTower(g, w, c, ids, mask)); // (texts, D)
    const image = l2Normalize(g, visionTower(g, w, c, pixels)); // (images, D)
    const scale = g.op("Exp", [w.plain(g, "logit_scale", [])]);
    const perText = g.mul(g.matmul(text, g.op("Transpose", [image])), scale); // (texts, images)
    g.output("logits_per_image", g.op("Transpose", [perText]), "float", ["image_batch_size", "text_batch_size"]);
    g.output("logits_per_text", perText, "float", ["text_batch_size", "image_batch_size"]);
    g.output("text_embeds", text, "float", ["text_batch_size", d]);
    g.output("image_embeds", image, "float", ["image_batch_size", d]);
  }
  return g.toModel({
    producerVersion,
    docString: `laclip ${c.layout} CLIP, ${w.precision} weights`,
    metadata: { laclip_config: JSON.stringify(c), precision: w.precision },
  });
}
