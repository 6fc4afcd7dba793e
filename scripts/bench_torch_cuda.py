#!/usr/bin/env python3
"""PyTorch's CUDA activations at hact_bench_cuda's sizes, timed the same way (CUDA events on one
stream, median of repetitions): the "no slower than PyTorch" anchor of the CUDA benchmark.
Prints one line per case: torch/<op>/<dir>/n:<n> <median ms> <GB/s>. Needs torch with CUDA."""
import statistics
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit("bench_torch_cuda: no torch here")
if not torch.cuda.is_available():
    sys.exit("bench_torch_cuda: torch sees no GPU")

print(f"# {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
for n in (1 << 20, 1 << 24, 1 << 28):
    x = torch.linspace(-10, 10, n, device="cuda")
    dy = torch.ones_like(x)
    y = torch.empty_like(x)
    for name, fwd in (("silu", F.silu), ("gelu", F.gelu), ("gelu_tanh", lambda t: F.gelu(t, approximate="tanh")),
                      ("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", F.relu), ("mish", F.mish)):
        for d, streams in (("fwd", 2), ("bwd", 3)):
            xr = x.clone().requires_grad_(d == "bwd")
            def run():
                if d == "fwd":
                    torch.ops.aten.copy_(y, fwd(x))
                else:
                    out = fwd(xr)
                    torch.autograd.grad(out, xr, dy)
            for _ in range(3):
                run()
            times = []
            for _ in range(10):
                s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                s.record()
                run()
                e.record()
                torch.cuda.synchronize()
                times.append(s.elapsed_time(e))
            ms = statistics.median(times)
            print(f"torch/{name}/{d}/n:{n} {ms:.4f} ms {streams * 4 * n / ms / 1e6:.1f} GB/s")
