/** `laclip export --format onnx`: exportOnnx for the export command's dispatcher (src/export/formats.ts). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { projectRoot } from "../../util/project_root.js";
import type { Exporter } from "../context.js";
import { exportOnnx } from "./index.js";

async function laclipVersion(): Promise<string> {
  try {
    return String((JSON.parse(await readFile(join(projectRoot(), "package.json"), "utf8")) as { version?: unknown }).version ?? "0");
  } catch {
    return "0";
  }
}

export const exportOnnxFolder: Exporter = async (ctx) => {
  const { files, onnx } = await exportOnnx(ctx.out, {
    config: ctx.config, state: ctx.model.hostStateDict(), merges: ctx.merges, producerVersion: await laclipVersion(),
  });
  for (const f of onnx) ctx.log(`${f.path}: ${(f.bytes / 1e6).toFixed(1)} MB`);
  return files.map((f) => join(ctx.out, f));
};
