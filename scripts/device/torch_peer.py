#!/usr/bin/env python3
"""Runs the PyTorch peer (../shared/bench/torch_clip_step.py, unchanged) in this process and then prints one
more JSON line with the CUDA allocator's peak bytes over the run (torch.cuda.max_memory_allocated), which the
peer itself does not report.

On CUDA the default device is set to the GPU first: the peer builds its loss targets with torch.arange(batch)
without a device, which would otherwise be a CPU tensor next to CUDA logits (cross_entropy refuses that).
Everything else in the peer names its device, so nothing else moves.

usage: python3 torch_peer.py PATH/torch_clip_step.py [its options...]
"""
import json
import runpy
import sys

import torch

script = sys.argv[1]
args = sys.argv[2:]
cuda = "--device" in args and args[args.index("--device") + 1] == "cuda"
sys.argv = [script] + args
if cuda:
    torch.set_default_device("cuda")
    torch.cuda.reset_peak_memory_stats()
runpy.run_path(script, run_name="__main__")
print(json.dumps({"peak_gpu_bytes": torch.cuda.max_memory_allocated() if cuda else None}))
