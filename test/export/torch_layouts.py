"""Small PyTorch models with open_clip's and transformers' CLIP module names, built from an exported folder's
config and loaded from its safetensors with strict=True (so every key and shape must match), then run on given
inputs. Used by test/export/torch_layouts.test.ts:

    /usr/bin/python3 torch_layouts.py open_clip|hf DIR INPUTS.safetensors [open_clip|hf DIR INPUTS.safetensors]...

INPUTS holds `images` (B, 3, S, S) float32, already normalised, and `tokens` (N, T) int64. Prints one JSON line
per triple: {"keys": [...], "image_embeds": [[...]], "text_embeds": [[...]], "logit_scale": x}, embeddings
L2-normalised.
Needs only torch (1.13 is enough); the safetensors format is read by hand.
"""
import json
import math
import struct
import sys
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32, "BF16": torch.bfloat16, "F16": torch.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        buf = bytearray(raw[base + start:base + end])
        t = torch.frombuffer(buf, dtype=dtype) if len(buf) > 0 else torch.empty(0, dtype=dtype)
        out[key] = t.reshape(info["shape"])
    return out


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


def act(name):
    return QuickGELU() if name == "quick_gelu" else nn.GELU()


def causal_mask(t):
    return torch.full((t, t), float("-inf")).triu(1)


# ---- open_clip: OpenAI-style residual blocks (ln_1, attn.in_proj_*, attn.out_proj, ln_2, mlp.c_fc/c_proj)

class ResBlock(nn.Module):
    def __init__(self, width, heads, mlp_ratio, activation, eps):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width, eps=eps)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(width, eps=eps)
        hidden = int(width * mlp_ratio)
        self.mlp = nn.Sequential(OrderedDict([("c_fc", nn.Linear(width, hidden)), ("gelu", act(activation)), ("c_proj", nn.Linear(hidden, width))]))

    def forward(self, x, mask=None):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, mlp_ratio, activation, eps):
        super().__init__()
        self.resblocks = nn.ModuleList([ResBlock(width, heads, mlp_ratio, activation, eps) for _ in range(layers)])

    def forward(self, x, mask=None):
        for b in self.resblocks:
            x = b(x, mask)
        return x


class OpenClipVision(nn.Module):
    def __init__(self, v, embed_dim, activation):
        super().__init__()
        width, patch, size = v["width"], v["patch_size"], v["image_size"]
        eps = (v.get("norm_kwargs") or {}).get("eps", 1e-5)
        self.conv1 = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.positional_embedding = nn.Parameter(torch.zeros((size // patch) ** 2 + 1, width))
        self.ln_pre = nn.Identity() if v.get("no_ln_pre") else nn.LayerNorm(width, eps=eps)
        self.transformer = Transformer(width, v["layers"], width // v.get("head_width", 64), v.get("mlp_ratio", 4.0), activation, eps)
        self.ln_post = nn.LayerNorm(width, eps=eps)
        self.proj = nn.Parameter(torch.zeros(width, embed_dim))

    def forward(self, x):
        x = self.conv1(x).flatten(2).transpose(1, 2)  # (B, N, W)
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = self.ln_pre(torch.cat([cls, x], 1) + self.positional_embedding)
        x = self.transformer(x)
        return self.ln_post(x[:, 0]) @ self.proj


# ---- timm's VisionTransformer names (open_clip's timm tower: visual.trunk.*, visual.head.proj)

class TimmAttention(nn.Module):
    def __init__(self, width, heads, qk_norm):
        super().__init__()
        self.heads = heads
        hd = width // heads
        self.qkv = nn.Linear(width, 3 * width)
        self.q_norm = nn.LayerNorm(hd, eps=1e-6) if qk_norm else nn.Identity()
        self.k_norm = nn.LayerNorm(hd, eps=1e-6) if qk_norm else nn.Identity()
        self.proj = nn.Linear(width, width)

    def forward(self, x):
        b, t, w = x.shape
        q, k, v = self.qkv(x).reshape(b, t, 3, self.heads, w // self.heads).permute(2, 0, 3, 1, 4)  # 3 x (B, H, T, hd)
        q, k = self.q_norm(q), self.k_norm(k)
        attn = (q * (w // self.heads) ** -0.5) @ k.transpose(-2, -1)
        return self.proj((attn.softmax(-1) @ v).transpose(1, 2).reshape(b, t, w))


class TimmMlp(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TimmBlock(nn.Module):
    def __init__(self, width, heads, mlp_ratio, qk_norm):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=1e-6)
        self.attn = TimmAttention(width, heads, qk_norm)
        self.norm2 = nn.LayerNorm(width, eps=1e-6)
        self.mlp = TimmMlp(width, int(width * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, width, patch, bias):
        super().__init__()
        self.proj = nn.Conv2d(3, width, patch, stride=patch, bias=bias)


class TimmViT(nn.Module):
    def __init__(self, kw):
        super().__init__()
        width, patch, size = kw["embed_dim"], kw["patch_size"], kw["img_size"]
        pre_norm = kw.get("pre_norm", False)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.zeros(1, (size // patch) ** 2 + 1, width))
        self.patch_embed = PatchEmbed(width, patch, not pre_norm)
        self.norm_pre = nn.LayerNorm(width, eps=1e-6) if pre_norm else nn.Identity()
        self.blocks = nn.ModuleList([TimmBlock(width, kw["num_heads"], kw.get("mlp_ratio", 4.0), kw.get("qk_norm", False)) for _ in range(kw["depth"])])
        self.norm = nn.LayerNorm(width, eps=1e-6)

    def forward(self, x):
        x = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
        x = self.norm_pre(x)
        for b in self.blocks:
            x = b(x)
        return self.norm(x)[:, 0]  # timm_pool 'token'


class TimmTower(nn.Module):
    def __init__(self, v, embed_dim):
        super().__init__()
        self.trunk = TimmViT(v["timm_model_kwargs"])
        self.head = nn.Sequential(OrderedDict([("drop", nn.Dropout(0.0)), ("proj", nn.Linear(v["timm_model_kwargs"]["embed_dim"], embed_dim, bias=False))]))

    def forward(self, x):
        return self.head(self.trunk(x))


class OpenClipModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        v, t, e = cfg["vision_cfg"], cfg["text_cfg"], cfg["embed_dim"]
        activation = "quick_gelu" if cfg.get("quick_gelu") else "gelu"
        self.visual = TimmTower(v, e) if v.get("timm_model_name") else OpenClipVision(v, e, activation)
        eps = (t.get("norm_kwargs") or {}).get("eps", 1e-5)
        self.transformer = Transformer(t["width"], t["layers"], t["heads"], t.get("mlp_ratio", 4.0), activation, eps)
        self.token_embedding = nn.Embedding(t["vocab_size"], t["width"])
        self.positional_embedding = nn.Parameter(torch.zeros(t["context_length"], t["width"]))
        self.ln_final = nn.LayerNorm(t["width"], eps=eps)
        self.text_projection = nn.Parameter(torch.zeros(t["width"], e))
        self.logit_scale = nn.Parameter(torch.zeros([]))
        self.register_buffer("attn_mask", causal_mask(t["context_length"]), persistent=False)

    def encode_image(self, images):
        return self.visual(images)

    def encode_text(self, tokens):
        n = tokens.shape[1]
        x = self.token_embedding(tokens) + self.positional_embedding[:n]
        x = self.ln_final(self.transformer(x, self.attn_mask[:n, :n]))
        return x[torch.arange(x.shape[0]), tokens.argmax(-1)] @ self.text_projection


# ---- transformers' CLIPModel names (models/clip/modeling_clip.py)

class HfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(width, width) for _ in range(4))

    def forward(self, x, mask=None):
        b, t, w = x.shape
        split = lambda y: y.reshape(b, t, self.heads, w // self.heads).transpose(1, 2)  # (B, H, T, hd)
        q, k, v = split(self.q_proj(x) * (w // self.heads) ** -0.5), split(self.k_proj(x)), split(self.v_proj(x))
        attn = q @ k.transpose(-2, -1)
        if mask is not None:
            attn = attn + mask
        return self.out_proj((attn.softmax(-1) @ v).transpose(1, 2).reshape(b, t, w))


class HfMlp(nn.Module):
    def __init__(self, width, hidden, activation):
        super().__init__()
        self.activation_fn = act(activation)
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(self.activation_fn(self.fc1(x)))


class HfLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = HfAttention(c["hidden_size"], c["num_attention_heads"])
        self.layer_norm1 = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.mlp = HfMlp(c["hidden_size"], c["intermediate_size"], c["hidden_act"])
        self.layer_norm2 = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, mask=None):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class HfEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList([HfLayer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, mask=None):
        for layer in self.layers:
            x = layer(x, mask)
        return x


class HfTextEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_embedding = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embedding = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])


class HfText(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.eos = c["eos_token_id"]
        self.embeddings = HfTextEmbeddings(c)
        self.encoder = HfEncoder(c)
        self.final_layer_norm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, ids):
        n = ids.shape[1]
        x = self.embeddings.token_embedding(ids) + self.embeddings.position_embedding(torch.arange(n))
        x = self.final_layer_norm(self.encoder(x, causal_mask(n)))
        # transformers pools at the first eos_token_id (for eos ids other than the legacy 2)
        return x[torch.arange(x.shape[0]), (ids == self.eos).int().argmax(-1)]


class HfVisionEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        w, p = c["hidden_size"], c["patch_size"]
        self.class_embedding = nn.Parameter(torch.zeros(w))
        self.patch_embedding = nn.Conv2d(c["num_channels"], w, p, stride=p, bias=False)
        self.position_embedding = nn.Embedding((c["image_size"] // p) ** 2 + 1, w)


class HfVision(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = HfVisionEmbeddings(c)
        self.pre_layrnorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.encoder = HfEncoder(c)
        self.post_layernorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x):
        e = self.embeddings
        x = e.patch_embedding(x).flatten(2).transpose(1, 2)
        x = torch.cat([e.class_embedding.expand(x.shape[0], 1, -1), x], 1) + e.position_embedding.weight
        x = self.encoder(self.pre_layrnorm(x))
        return self.post_layernorm(x[:, 0])


class HfClip(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        t, v, e = cfg["text_config"], cfg["vision_config"], cfg["projection_dim"]
        self.text_model = HfText(t)
        self.vision_model = HfVision(v)
        self.visual_projection = nn.Linear(v["hidden_size"], e, bias=False)
        self.text_projection = nn.Linear(t["hidden_size"], e, bias=False)
        self.logit_scale = nn.Parameter(torch.zeros([]))

    def encode_image(self, images):
        return self.visual_projection(self.vision_model(images))

    def encode_text(self, tokens):
        return self.text_projection(self.text_model(tokens))


def run(fmt, folder, inputs):
    if fmt == "open_clip":
        with open(f"{folder}/open_clip_config.json") as f:
            model = OpenClipModel(json.load(f)["model_cfg"])
        sd = read_safetensors(f"{folder}/open_clip_model.safetensors")
    else:
        with open(f"{folder}/config.json") as f:
            model = HfClip(json.load(f))
        sd = read_safetensors(f"{folder}/model.safetensors")
    model.load_state_dict(sd, strict=True)  # raises naming every missing, unexpected or mis-shaped key
    model.eval()
    x = read_safetensors(inputs)
    with torch.no_grad():
        img = F.normalize(model.encode_image(x["images"]), dim=-1)
        txt = F.normalize(model.encode_text(x["tokens"]), dim=-1)
    return {"keys": sorted(sd.keys()), "image_embeds": img.tolist(), "text_embeds": txt.tolist(), "logit_scale": model.logit_scale.item()}


def main():
    args = sys.argv[1:]
    for i in range(0, len(args), 3):  # one (format, folder, inputs) triple per output line: torch is imported once
        print(json.dumps(run(*args[i:i + 3])))


if __name__ == "__main__":
    main()
