/**
 * MultiheadAttention's masks merged into one additive float mask, as torch.nn.functional.
 * multi_head_attention_forward does: bool `true` means "may not attend" (becomes -inf), floats are added.
 */
import { zeros, type Tensor } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";

export interface MaskShapes {
  batch: number;
  heads: number;
  tgtLen: number;
  srcLen: number;
}

const shapeText = (s: readonly number[]): string => `[${s.join(", ")}]`;

function asAdditive(mask: Tensor, like: Tensor): Tensor {
  if (mask.dtype === "bool") return zeros(mask.shape, { dtype: like.dtype, device: like.device }).maskedFill_(mask, -Infinity);
  if (mask.dtype === like.dtype) return mask.view([...mask.shape]);
  return mask.to({ dtype: like.dtype });
}

/**
 * One additive mask broadcastable to (B * heads, L, S), or undefined. `attnMask` is (L, S) or (B * heads, L, S);
 * `keyPaddingMask` is (B, S). Call inside tidy(): temporaries are left to the scope.
 */
export function mergeMasks(attnMask: Tensor | undefined, keyPaddingMask: Tensor | undefined, s: MaskShapes, like: Tensor): Tensor | undefined {
  let mask: Tensor | undefined;
  if (attnMask !== undefined) {
    const ok2 = attnMask.ndim === 2 && attnMask.shape[0] === s.tgtLen && attnMask.shape[1] === s.srcLen;
    const ok3 = attnMask.ndim === 3 && attnMask.shape[0] === s.batch * s.heads && attnMask.shape[1] === s.tgtLen && attnMask.shape[2] === s.srcLen;
    if (!ok2 && !ok3) {
      throw new ConfigError(`MultiheadAttention: attn_mask has shape ${shapeText(attnMask.shape)}; expected [${s.tgtLen}, ${s.srcLen}] or [${s.batch * s.heads}, ${s.tgtLen}, ${s.srcLen}]`, "attnMask");
    }
    checkKind(attnMask, "attnMask");
    mask = asAdditive(attnMask, like);
  }
  if (keyPaddingMask !== undefined) {
    if (keyPaddingMask.ndim !== 2 || keyPaddingMask.shape[0] !== s.batch || keyPaddingMask.shape[1] !== s.srcLen) {
      throw new ConfigError(`MultiheadAttention: key_padding_mask has shape ${shapeText(keyPaddingMask.shape)}; expected [${s.batch}, ${s.srcLen}]`, "keyPaddingMask");
    }
    checkKind(keyPaddingMask, "keyPaddingMask");
    // (B, S) → (B, 1, 1, S) → (B, heads, 1, S) → (B * heads, 1, S)
    const kpm = asAdditive(keyPaddingMask, like).view(s.batch, 1, 1, s.srcLen).expand(-1, s.heads, -1, -1).reshape(s.batch * s.heads, 1, s.srcLen);
    mask = mask === undefined ? kpm : mask.add(kpm);
  }
  return mask;
}

function checkKind(mask: Tensor, key: string): void {
  const d = mask.dtype;
  if (d !== "bool" && d !== "f32" && d !== "f64" && d !== "bf16" && d !== "f16") {
    throw new ConfigError(`MultiheadAttention: ${key} must be bool (true = masked out) or floating point (added to scores), got ${d}`, key);
  }
}
