/**
 * CLIP models in the two released layouts, their configs and presets, losses, and checkpoint loading/saving.
 *
 *   const { model, notes } = await loadClipCheckpoint("laclip-cc12m.pt");        // layout + config detected
 *   const model = new CLIP(clipPreset("bench-s"));                              // from scratch
 *   const out = model.forward(images, tokens, { loss: true, multiText: [rw1, rw2] });
 *   await saveClipCheckpoint(model, "runs/x/checkpoint");                       // model.safetensors + config.json
 */
export {
  DEFAULT_LOGIT_SCALE, resolveClipConfig,
  type Activation, type ClipConfig, type ClipConfigInput, type ClipLayout, type ImageMeanStd, type TextConfig, type VisionConfig,
} from "./config.js";
export { validateClipConfig } from "./validate.js";
export { LACLIP_MODEL_NAMES, clipPreset, presetNames } from "./presets.js";
export { expectedStateShapes, type ShapeMap } from "./state_shapes.js";
export { detectClipConfig, detectLayout, type ClipOverrides, type Detection, type ShapeSource } from "./detect.js";
export { clipLogits, clipLoss, clipLossFromLogits, multiTextClipLoss, type ClipLogits } from "./loss.js";
export { CLIP, type ClipBuildOptions, type ClipForwardOptions, type ClipOutput } from "./model.js";
export { initClip } from "./init.js";
export { readCheckpointWeights, type CheckpointFormat, type CheckpointWeights } from "./checkpoint_read.js";
export {
  CONFIG_FILE, WEIGHTS_FILE, checkWeightsFit, loadClipCheckpoint, saveClipCheckpoint, type LoadClipOptions, type LoadedClip,
} from "./checkpoint.js";
export { imageTransformFor } from "./preprocess.js";
export { IMAGE_EXTENSIONS, embedToFile, listImages, readTextLines, type EmbedOptions, type EmbedSummary } from "./embed.js";
