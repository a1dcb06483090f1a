"""PyTorch peer of `laclip bench probe`: CLIP_benchmark's linear-probe training loop (metrics/linear_probe.py
`train`) on CPU, on random features: nn.Linear(D, C), AdamW over all its parameters, CrossEntropyLoss, the lr
set from a cosine schedule before every step. Batches come from a random permutation per epoch by tensor
indexing, or with --dataloader through a DataLoader over a per-row Dataset as CLIP_benchmark builds it.
Prints one JSON line."""
import argparse, json, math, time
import torch

p = argparse.ArgumentParser()
for name, default in [("rows", 50000), ("dim", 512), ("classes", 1000), ("epochs", 1), ("batch", 64), ("threads", 2), ("seed", 0)]:
    p.add_argument(f"--{name}", type=int, default=default)
p.add_argument("--lr", type=float, default=0.1)
p.add_argument("--weight-decay", type=float, default=0.0)
p.add_argument("--dataloader", action="store_true")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
x = torch.randn(a.rows, a.dim)
y = torch.randint(0, a.classes, (a.rows,))
model = torch.nn.Linear(a.dim, a.classes)
opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
loss_fn = torch.nn.CrossEntropyLoss()
per_epoch = math.ceil(a.rows / a.batch)
steps = a.epochs * per_epoch


class Rows(torch.utils.data.Dataset):
    def __len__(self):
        return a.rows

    def __getitem__(self, i):
        return x[i], y[i]


def batches():
    if a.dataloader:
        yield from torch.utils.data.DataLoader(Rows(), batch_size=a.batch, shuffle=True)
        return
    perm = torch.randperm(a.rows)
    for s in range(0, a.rows, a.batch):
        idx = perm[s:s + a.batch]
        yield x[idx], y[idx]


t0 = time.perf_counter()
step = 0
for epoch in range(a.epochs):
    for xb, yb in batches():
        for g in opt.param_groups:
            g["lr"] = 0.5 * (1 + math.cos(math.pi * step / steps)) * a.lr
        step += 1
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
sec = time.perf_counter() - t0
print(json.dumps({"bench": "probe", "engine": "pytorch", "torch": torch.__version__, "loader": "dataloader" if a.dataloader else "index",
                  "rows": a.rows, "dim": a.dim, "classes": a.classes, "epochs": a.epochs, "batch": a.batch, "threads": torch.get_num_threads(),
                  "steps": steps, "seconds": round(sec, 3), "rows_per_s": round(a.rows * a.epochs / sec, 1), "final_loss": round(loss.item(), 4)}))
