#!/usr/bin/python3
"""Optional developer tool: writes a parity fixture directory with PyTorch (Debian's python3-torch), for sizes
and seeds the shipped fixtures do not cover, or checks which loss a fixture's gradients belong to.
The test suite never needs it: test/parity/generated.test.ts runs it only when /usr/bin/python3 has torch.

  make_fixture.py write --out DIR --family laclip_slip|open_clip [--seed N] [--image-size 32 --patch 8 ...]
  make_fixture.py check DIR/FAMILY    # recompute a fixture's outputs and gradients, print the max differences

The model here is written from the layouts' definitions (timm ViT with qk-norm / OpenAI VisionTransformer,
OpenAI text tower); it is the PyTorch side of the comparison, so it uses torch's own modules where they exist.
"""
import argparse, json, math, os, struct, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DT = {"F32": np.float32, "I64": np.int64}


def read_st(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        head = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in head.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype=DT[v["dtype"]]).reshape(v["shape"]).copy())
    return out


def write_st(path, tensors, metadata=None):
    head, blobs, off = {}, [], 0
    if metadata:
        head["__metadata__"] = metadata
    for k, t in tensors.items():
        a = t.detach().contiguous().numpy()
        name = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}[a.dtype]
        b = a.tobytes()
        head[k] = {"dtype": name, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(head).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def act(name):
    return nn.GELU() if name == "gelu" else QuickGELU()


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResBlock(nn.Module):  # OpenAI naming: ln_1, attn (nn.MultiheadAttention), ln_2, mlp.c_fc / mlp.c_proj
    def __init__(self, w, h, eps, activation, ratio=4):
        super().__init__()
        self.ln_1 = nn.LayerNorm(w, eps=eps)
        self.attn = nn.MultiheadAttention(w, h)
        self.ln_2 = nn.LayerNorm(w, eps=eps)
        self.mlp = nn.Sequential()
        self.mlp.add_module("c_fc", nn.Linear(w, ratio * w))
        self.mlp.add_module("act", act(activation))
        self.mlp.add_module("c_proj", nn.Linear(ratio * w, w))

    def forward(self, x, mask=None):  # x (L, B, w)
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, w, layers, h, eps, activation):
        super().__init__()
        self.resblocks = nn.ModuleList(ResBlock(w, h, eps, activation) for _ in range(layers))

    def forward(self, x, mask=None):
        for b in self.resblocks:
            x = b(x, mask)
        return x


class TimmAttention(nn.Module):
    def __init__(self, w, h, qk_norm, qk_eps):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(w, 3 * w)
        self.q_norm = nn.LayerNorm(w // h, eps=qk_eps) if qk_norm else nn.Identity()
        self.k_norm = nn.LayerNorm(w // h, eps=qk_eps) if qk_norm else nn.Identity()
        self.proj = nn.Linear(w, w)

    def forward(self, x):
        B, N, C = x.shape
        q, k, v = self.qkv(x).reshape(B, N, 3, self.h, C // self.h).permute(2, 0, 3, 1, 4)
        q, k = self.q_norm(q), self.k_norm(k)
        a = (q * (C // self.h) ** -0.5) @ k.transpose(-2, -1)
        return self.proj((a.softmax(-1) @ v).transpose(1, 2).reshape(B, N, C))


class TimmBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        w, eps = c["vision_width"], c["vision_ln_eps"]
        self.norm1 = nn.LayerNorm(w, eps=eps)
        self.attn = TimmAttention(w, c["vision_heads"], c["qk_norm"], c["qk_norm_eps"] or 1e-6)
        self.norm2 = nn.LayerNorm(w, eps=eps)
        self.mlp = nn.Sequential()
        self.mlp.add_module("fc1", nn.Linear(w, 4 * w))
        self.mlp.add_module("act", act(c["vision_activation"]))
        self.mlp.add_module("fc2", nn.Linear(4 * w, w))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.proj = nn.Conv2d(3, c["vision_width"], c["patch"], c["patch"], bias=c["patch_bias"])


class TimmViT(nn.Module):
    def __init__(self, c):
        super().__init__()
        w, n = c["vision_width"], (c["image_size"] // c["patch"]) ** 2
        self.cls_token = nn.Parameter(torch.randn(1, 1, w) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, n + 1, w) * 0.02)
        self.patch_embed = PatchEmbed(c)
        self.norm_pre = nn.LayerNorm(w, eps=c["vision_ln_eps"]) if c["vision_ln_pre"] else nn.Identity()
        self.blocks = nn.ModuleList(TimmBlock(c) for _ in range(c["vision_layers"]))
        self.norm = nn.LayerNorm(w, eps=c["vision_ln_eps"])

    def forward(self, img):
        x = self.patch_embed.proj(img).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
        x = self.norm_pre(x)
        for b in self.blocks:
            x = b(x)
        return self.norm(x)[:, 0]


class OpenAIViT(nn.Module):
    def __init__(self, c):
        super().__init__()
        w, n, eps = c["vision_width"], (c["image_size"] // c["patch"]) ** 2, c["vision_ln_eps"]
        self.conv1 = nn.Conv2d(3, w, c["patch"], c["patch"], bias=c["patch_bias"])
        self.class_embedding = nn.Parameter(torch.randn(w) * w ** -0.5)
        self.positional_embedding = nn.Parameter(torch.randn(n + 1, w) * w ** -0.5)
        self.ln_pre = nn.LayerNorm(w, eps=eps) if c["vision_ln_pre"] else nn.Identity()
        self.transformer = Transformer(w, c["vision_layers"], c["vision_heads"], eps, c["vision_activation"])
        self.ln_post = nn.LayerNorm(w, eps=eps)
        self.proj = nn.Parameter(torch.randn(w, c["embed_dim"]) * w ** -0.5)

    def forward(self, img):
        x = self.conv1(img).flatten(2).transpose(1, 2)
        x = torch.cat([self.class_embedding.expand(x.shape[0], 1, -1), x], 1) + self.positional_embedding
        x = self.ln_pre(x)
        x = self.transformer(x.transpose(0, 1)).transpose(0, 1)
        return self.ln_post(x[:, 0]) @ self.proj


class CLIP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layout = "laclip" if c["family"].startswith("laclip") else "open_clip"
        self.visual = TimmViT(c) if self.layout == "laclip" else OpenAIViT(c)
        if self.layout == "laclip":
            self.image_projection = nn.Parameter(torch.randn(c["vision_width"], c["embed_dim"]) * c["vision_width"] ** -0.5)
        T, L = c["text_width"], c["context_length"]
        self.token_embedding = nn.Embedding(c["vocab_size"], T)
        self.positional_embedding = nn.Parameter(torch.randn(L, T) * 0.01)
        self.transformer = Transformer(T, c["text_layers"], c["text_heads"], c["text_ln_eps"], c["text_activation"])
        self.ln_final = nn.LayerNorm(T, eps=c["text_ln_eps"])
        self.text_projection = nn.Parameter(torch.randn(T, c["embed_dim"]) * T ** -0.5)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.register_buffer("mask", torch.full((L, L), float("-inf")).triu(1), persistent=False)

    def encode_image(self, img):
        x = self.visual(img)
        return x @ self.image_projection if self.layout == "laclip" else x

    def encode_text(self, text):
        x = self.token_embedding(text) + self.positional_embedding
        x = self.transformer(x.transpose(0, 1), self.mask).transpose(0, 1)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), text.argmax(-1)] @ self.text_projection


def clip_loss(ie, te, scale):
    ie, te = F.normalize(ie, dim=-1), F.normalize(te, dim=-1)
    logits = scale.exp() * ie @ te.t()
    y = torch.arange(ie.shape[0])
    return (F.cross_entropy(logits, y) + F.cross_entropy(logits.t(), y)) / 2


def run(m, io):
    m.zero_grad()
    ie, te = m.encode_image(io["input.image"]), m.encode_text(io["input.text"])
    loss = clip_loss(ie, te, m.logit_scale)
    mts = sorted((k for k in io if k.startswith("input.text_mt.")), key=lambda k: int(k.rsplit(".", 1)[1]))
    texts = [io["input.text"]] + [io[k] for k in mts]
    multi = sum(clip_loss(ie, m.encode_text(t), m.logit_scale) for t in texts) / len(texts)
    return ie, te, loss, multi


def check(fixture):
    c = json.load(open(os.path.join(fixture, "config.json")))
    m = CLIP(c)
    m.load_state_dict(read_st(os.path.join(fixture, "weights.safetensors")))
    io = read_st(os.path.join(fixture, "io.safetensors"))
    ie, te, loss, multi = run(m, io)
    d = lambda a, b: float((a.detach().reshape(-1) - b.reshape(-1)).abs().max())
    print("image_embed", d(ie, io["output.image_embed"]), "text_embed", d(te, io["output.text_embed"]))
    print("loss", d(loss, io["output.loss"]), "loss_multi_text", d(multi, io["output.loss_multi_text"]))
    for name, L in (("loss", loss), ("loss_multi_text", multi), ("sum", loss + multi)):
        m.zero_grad()
        L.backward(retain_graph=True)
        worst = max(d(p.grad, io["grad." + n]) for n, p in m.named_parameters())
        print("grads of", name, "max abs diff", worst)


def write(a):
    torch.manual_seed(a.seed)
    c = dict(embed_dim=a.embed_dim, image_size=a.image_size, patch=a.patch, vision_width=a.vision_width,
             vision_layers=a.vision_layers, vision_heads=a.vision_heads, context_length=a.context_length,
             vocab_size=a.vocab_size, text_width=a.text_width, text_layers=a.text_layers, text_heads=a.text_heads,
             batch=a.batch, family=a.family)
    laclip = a.family.startswith("laclip")
    c.update(text_activation=a.text_activation or ("quick_gelu" if laclip else "gelu"),
             vision_activation=a.vision_activation or "gelu", image_pooling="cls",
             vision_ln_eps=a.vision_ln_eps or (1e-6 if laclip else 1e-5), text_ln_eps=1e-5,
             qk_norm=laclip and not a.no_qk_norm, qk_norm_eps=1e-6 if laclip and not a.no_qk_norm else None,
             vision_ln_pre=(not laclip) if a.ln_pre is None else a.ln_pre == "1",
             patch_bias=laclip if a.patch_bias is None else a.patch_bias == "1",
             attention_scale="head_dim ** -0.5", image_mean_std="not used: inputs are given already normalised")
    m = CLIP(c)
    with torch.no_grad():  # move every LayerNorm and bias off its default so that their gradients are tested
        for n, p in m.named_parameters():
            if p.ndim == 1:
                p.add_(torch.randn_like(p) * 0.1)
    B, L = a.batch, a.context_length
    def texts():
        t = torch.zeros(B, L, dtype=torch.int64)
        for i in range(B):
            n = int(torch.randint(1, L - 1, ()))
            t[i, 0] = 49406
            t[i, 1:n + 1] = torch.randint(1, min(a.vocab_size, 49406), (n,))
            t[i, n + 1] = 49407 if a.vocab_size > 49407 else a.vocab_size - 1
        return t
    io = {"input.image": torch.randn(B, 3, a.image_size, a.image_size), "input.text": texts()}
    for k in range(1, a.rewrites + 1):
        io[f"input.text_mt.{k}"] = texts()
    ie, te, loss, multi = run(m, io)
    loss.backward()
    out = dict(io)
    out.update({"output.image_embed": ie.detach(), "output.text_embed": te.detach(), "output.loss": loss.detach().reshape(1),
                "output.logit_scale": m.logit_scale.exp().detach().reshape(1), "output.loss_multi_text": multi.detach().reshape(1)})
    for n, p in m.named_parameters():
        out["grad." + n] = p.grad
    d = os.path.join(a.out, a.family)
    os.makedirs(d, exist_ok=True)
    c["notes"] = "generated by test/parity/make_fixture.py; gradients are of output.loss"
    json.dump(c, open(os.path.join(d, "config.json"), "w"), indent=1)
    sd = m.state_dict()
    write_st(os.path.join(d, "weights.safetensors"), sd, {"family": a.family})
    write_st(os.path.join(d, "io.safetensors"), out)
    ns = argparse.Namespace(model="CLIP_GENERATED", lr=1e-3)
    prefix = "" if a.no_module_prefix else "module."
    ck = {"epoch": 1, a.container: {prefix + k: v for k, v in sd.items()}}
    if laclip:
        ck["args"] = ns
    torch.save(ck, os.path.join(d, "checkpoint.pt"))
    print(d)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    ck = sub.add_parser("check")
    ck.add_argument("fixture")
    w = sub.add_parser("write")
    w.add_argument("--out", required=True)
    w.add_argument("--family", default="laclip_slip", choices=["laclip_slip", "open_clip"])
    w.add_argument("--seed", type=int, default=1)
    for k, v in dict(embed_dim=24, image_size=24, patch=6, vision_width=36, vision_layers=3, vision_heads=3,
                     context_length=12, vocab_size=49408, text_width=30, text_layers=1, text_heads=5, batch=3,
                     rewrites=2).items():
        w.add_argument("--" + k.replace("_", "-"), type=int, default=v)
    w.add_argument("--text-activation", choices=["gelu", "quick_gelu"])
    w.add_argument("--vision-activation", choices=["gelu", "quick_gelu"])
    w.add_argument("--vision-ln-eps", type=float)
    w.add_argument("--no-qk-norm", action="store_true")
    w.add_argument("--ln-pre", choices=["0", "1"])
    w.add_argument("--patch-bias", choices=["0", "1"])
    w.add_argument("--container", default="state_dict", choices=["state_dict", "model"], help="checkpoint.pt key holding the weights")
    w.add_argument("--no-module-prefix", action="store_true", help="checkpoint.pt keys without 'module.'")
    a = ap.parse_args()
    torch.set_num_threads(1)
    check(a.fixture) if a.cmd == "check" else write(a)


if __name__ == "__main__":
    main()
