/**
 * Reads the weights of any checkpoint a user may bring, as host tensors under the model's own key names:
 * - `torch.save` zip files (`.pt`, `.pth`, `.bin`): LaCLIP/SLIP training checkpoints ({state_dict with keys
 *   prefixed `module.`, args: argparse.Namespace, optimizer, ...}), open_clip ones ({state_dict, epoch, name})
 *   or plain state dicts; the container may be `state_dict` or `model`;
 * - safetensors files (open_clip's `open_clip_model.safetensors`), plain or with `module.` keys;
 * - the project's own checkpoint directories (model.safetensors + config.json, see checkpoint.ts).
 */
import { open } from "node:fs/promises";
import { ConfigError } from "../../errors/config_error.js";
import { FormatError } from "../../errors/format_error.js";
import type { HostTensor } from "../../io/host_tensor.js";
import { transpose2d } from "../../io/host_transpose.js";
import { PyDict, PyNamespace, type PyValue } from "../../io/pickle/py_value.js";
import { SafetensorsReader } from "../../io/safetensors/reader.js";
import { TorchCheckpoint } from "../../io/torch/checkpoint.js";
import { readTensors } from "../../io/torch/state_dict.js";

export type CheckpointFormat = "torch" | "safetensors";

export interface CheckpointWeights {
  path: string;
  format: CheckpointFormat;
  /** Model tensors by key, the `module.` prefix removed. */
  tensors: Map<string, HostTensor>;
  /** A LaCLIP checkpoint's `args` (argparse.Namespace) fields, when present. */
  args?: Readonly<Record<string, PyValue>>;
  /** A safetensors file's `__metadata__`. */
  metadata?: Readonly<Record<string, string>>;
  /** What was dropped or renamed on the way, one line each. */
  notes: string[];
}

/** OpenAI's original state dicts carry these three scalars next to the weights; they are not parameters. */
const OPENAI_SCALARS = ["input_resolution", "context_length", "vocab_size"];

/**
 * "PK" starts a zip archive (torch.save); a safetensors file has its JSON header's `{` right after the 8-byte
 * length. Anything else is tried as safetensors too, but its errors then say it is neither format.
 */
async function sniff(path: string): Promise<CheckpointFormat | "unknown"> {
  const fh = await open(path, "r").catch((err: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot open checkpoint '${path}': ${err.code ?? err.message}`, "checkpoint", { cause: err });
  });
  try {
    const head = new Uint8Array(9);
    const { bytesRead } = await fh.read(head, 0, 9, 0);
    if (bytesRead >= 2 && head[0] === 0x50 && head[1] === 0x4b) return "torch";
    return bytesRead === 9 && head[8] === 0x7b ? "safetensors" : "unknown";
  } finally {
    await fh.close();
  }
}

/**
 * open_clip's timm image tower (`visual.trunk.*` with timm's names, `visual.head.proj.weight` (E, W)) is the
 * laclip layout under other names: `visual.*` and `image_projection` (W, E).
 */
function fromTimmTower(tensors: Map<string, HostTensor>, notes: string[]): Map<string, HostTensor> {
  if (!tensors.has("visual.trunk.patch_embed.proj.weight")) return tensors;
  const out = new Map<string, HostTensor>();
  for (const [k, t] of tensors) {
    if (k.startsWith("visual.trunk.")) out.set(`visual.${k.slice("visual.trunk.".length)}`, t);
    else if (k === "visual.head.proj.weight") out.set("image_projection", transpose2d(t));
    else out.set(k, t);
  }
  notes.push("open_clip timm image tower: 'visual.trunk.*' read as 'visual.*', 'visual.head.proj.weight' transposed as 'image_projection'");
  return out;
}

/** Removes `module.` (DistributedDataParallel) when every key has it; drops OpenAI's metadata scalars. */
function normaliseKeys(tensors: Map<string, HostTensor>, notes: string[]): Map<string, HostTensor> {
  let out = tensors;
  const keys = [...tensors.keys()];
  if (keys.length > 0 && keys.every((k) => k.startsWith("module."))) {
    out = new Map(keys.map((k) => [k.slice("module.".length), tensors.get(k)!]));
    notes.push("removed the 'module.' prefix (DistributedDataParallel) from every key");
  }
  out = fromTimmTower(out, notes);
  for (const k of OPENAI_SCALARS) {
    const t = out.get(k);
    if (t !== undefined && t.shape.length === 0) {
      out.delete(k);
      notes.push(`ignored '${k}' (a scalar OpenAI stores beside the weights)`);
    }
  }
  return out;
}

async function readTorch(path: string, notes: string[]): Promise<Omit<CheckpointWeights, "path" | "format" | "notes">> {
  const ckpt = await TorchCheckpoint.open(path);
  try {
    const root = ckpt.root;
    let key: string | undefined;
    if (root instanceof PyDict) {
      for (const k of ["state_dict", "model", "module"]) {
        if (root.get(k) instanceof PyDict) {
          key = k;
          break;
        }
      }
    }
    if (key !== undefined) notes.push(`weights from the checkpoint's '${key}' entry`);
    const stateDict = ckpt.stateDict({ key });
    const tensors = await readTensors(stateDict);
    const args = root instanceof PyDict ? root.get("args") : undefined;
    return { tensors, args: args instanceof PyNamespace ? args.fields : undefined };
  } finally {
    await ckpt.close();
  }
}

export async function readCheckpointWeights(path: string): Promise<CheckpointWeights> {
  const notes: string[] = [];
  const format = await sniff(path);
  if (format === "torch") {
    const { tensors, args } = await readTorch(path, notes);
    return { path, format, tensors: normaliseKeys(tensors, notes), args, notes };
  }
  let reader: SafetensorsReader;
  try {
    reader = await SafetensorsReader.open(path);
  } catch (err) {
    if (err instanceof FormatError && format === "unknown") {
      const why = err.message.startsWith(path) ? err.message.slice(err.message.indexOf(": ", path.length) + 2) : err.message;
      throw new FormatError(`is neither a torch.save zip checkpoint nor a safetensors file (as safetensors: ${why})`, { file: path }, { cause: err });
    }
    throw err;
  }
  try {
    const tensors = await reader.readAll();
    return { path, format: "safetensors", tensors: normaliseKeys(tensors, notes), metadata: reader.metadata, notes };
  } finally {
    await reader.close();
  }
}
