"""Throughput of the official CIFAR10 recipe vs notebook 06's default pipeline, side by side.

Both train the seeds' network (``helpers.models.CifarNet``) with SGD(lr=0.001, momentum=0.9)
on CIFAR-shaped GENERATED data (``helpers.data.GeneratedCIFAR10``: same format as torchvision's
CIFAR10, uint8 32×32×3 images yielded as PIL images), so no download is needed.

(a) official recipe: PIL images -> Compose([ToTensor(), Normalize]) per image, batch size 4,
    num_workers=2, shuffle=True.
(b) notebook pipeline: decoded once into a uint8 tensor (CifarTensors), normalized per batch,
    batch size 64 (``--batch-size``, as in notebook 06), num_workers=0, shuffle=True.

Each is timed in steady state: warm-up batches first, then a fixed number of images.

Usage:
    python benchmarks/cifar_throughput.py                    # both pipelines, auto device
    python benchmarks/cifar_throughput.py --device cpu --images 20000
    python benchmarks/cifar_throughput.py --memory           # peak RSS of (b) on 50 000 images
    python benchmarks/cifar_throughput.py --threads 1        # one torch thread (steadier on a busy machine)
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time

import torch
from torch import nn
from torch.utils.data import DataLoader

from helpers.data import CifarTensors, GeneratedCIFAR10, fast_loader, tutorial_transform
from helpers.device import describe_device, pick_device
from helpers.models import CifarNet
from helpers.train import synchronize


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if platform.system() == "Darwin" else peak / 2**10


def timed_training(loader: DataLoader, device: torch.device, warmup_batches: int, images: int) -> tuple[float, int]:
    """Train the seeds' net on ``loader``; return (images/s after warm-up, images timed)."""
    torch.manual_seed(0)
    net = CifarNet().to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    seen, start, batches = 0, None, 0
    while True:
        for inputs, labels in loader:
            if batches == warmup_batches:
                synchronize(device)
                start = time.perf_counter()
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = loss_fn(net(inputs), labels)
            loss.backward()
            optimizer.step()
            batches += 1
            if start is not None:
                seen += labels.shape[0]
                if seen >= images:
                    synchronize(device)
                    return seen / (time.perf_counter() - start), seen


def official_loader(dataset: GeneratedCIFAR10, workers: int) -> DataLoader:
    """The tutorial's loader: batch size 4, shuffle, ``workers`` worker processes."""
    return DataLoader(dataset, batch_size=4, shuffle=True, num_workers=workers, persistent_workers=workers > 0)


def require_positive(parser: argparse.ArgumentParser, args: argparse.Namespace, names: tuple[str, ...]) -> None:
    """Stop with a usage error unless each named option is a positive int."""
    for name in names:
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive int, got {getattr(args, name)}")


def device_with_header(choice: str) -> torch.device:
    """Pick the device (``auto``: cuda -> mps -> cpu) and print what the numbers were measured on."""
    device = pick_device(None if choice == "auto" else choice)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"device: {describe_device(device)}; torch {torch.__version__}; {os.cpu_count()} CPUs; "
          f"load average {load} (other busy processes slow these numbers down)")
    return device


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto", help="cpu, cuda, cuda:N, mps or auto (default: auto)")
    parser.add_argument("--train-size", type=int, default=50_000, help="generated training images (default 50000)")
    parser.add_argument("--images", type=int, default=20_000, help="images timed for the notebook pipeline (default 20000)")
    parser.add_argument("--official-images", type=int, default=4_000, help="images timed for the official recipe (default 4000)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size of the notebook pipeline (default 64, as in notebook 06)")
    parser.add_argument("--workers", type=int, default=2, help="num_workers of the official recipe (default 2)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's own choice)")
    parser.add_argument("--memory", action="store_true", help="only measure peak memory of the notebook pipeline")
    args = parser.parse_args(argv)
    if args.threads is not None:
        if args.threads < 1:
            parser.error(f"--threads must be a positive int, got {args.threads}")
        torch.set_num_threads(args.threads)
    require_positive(parser, args, ("train_size", "images", "official_images", "batch_size"))
    device = device_with_header(args.device)

    if args.memory:
        return measure_memory(args, device)

    t0 = time.perf_counter()
    dataset = GeneratedCIFAR10(train=True, size=args.train_size, transform=tutorial_transform())
    print(f"generated {len(dataset)} CIFAR-shaped images in {time.perf_counter() - t0:.1f} s")

    official, n_a = timed_training(official_loader(dataset, args.workers), device, warmup_batches=100, images=args.official_images)
    print(f"(a) official recipe  (PIL + ToTensor + Normalize, batch 4, {args.workers} workers): "
          f"{official:8,.0f} images/s  ({n_a} images timed)")

    tensors = CifarTensors.from_dataset(dataset)
    loader = fast_loader(tensors, batch_size=args.batch_size, shuffle=True, seed=0)
    fast, n_b = timed_training(loader, device, warmup_batches=10, images=args.images)
    print(f"(b) notebook pipeline (uint8 tensor, batch {args.batch_size}, 0 workers):      "
          f"{fast:8,.0f} images/s  ({n_b} images timed)")
    print(f"ratio (b)/(a): {fast / official:.1f}x")
    return 0


def measure_memory(args: argparse.Namespace, device: torch.device) -> int:
    """Build the notebook pipeline on ``--train-size`` images, train one epoch, report peak RSS."""
    before = peak_rss_mib()
    dataset = GeneratedCIFAR10(train=True, size=args.train_size)  # stands in for torchvision's CIFAR10 (.data in RAM)
    tensors = CifarTensors.from_dataset(dataset)
    loader = fast_loader(tensors, batch_size=args.batch_size, shuffle=True, seed=0)
    torch.manual_seed(0)
    net = CifarNet().to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        loss_fn(net(inputs), labels).backward()
        optimizer.step()
    synchronize(device)
    seconds = time.perf_counter() - start
    print(f"one epoch over {len(tensors)} images, batch {args.batch_size}: {seconds:.1f} s "
          f"({len(tensors) / seconds:,.0f} images/s)")
    print(f"peak RSS before building the data: {before:,.0f} MiB; after one epoch: {peak_rss_mib():,.0f} MiB "
          f"(resource.getrusage ru_maxrss, whole process incl. torch)")
    if device.type == "cuda":
        print(f"peak CUDA memory allocated: {torch.cuda.max_memory_allocated(device) / 2**20:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
