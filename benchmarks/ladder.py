"""The speed ladder for the tutorial's network: each rung changes one thing, all measured in one run.

Notebook 07 (issue 9) climbs from notebook 06's pipeline to a fast, modern recipe. This script measures the
rungs that only make the *tutorial's own network* faster, so that each one's effect is visible by itself:

    0. official recipe: PIL -> ToTensor -> Normalize per image, batch 4, 2 loader workers
    1. notebook 06's pipeline: images decoded once into a uint8 tensor, batch 64, no workers
    2. a batch that fills the device: batch 512 (a learner scales the learning rate with it)
    3. the data kept on the device as one uint8 tensor, each batch sliced and normalized there
    4. + augmentation on the device, a batch at a time (random crop with 4 pixels of padding, horizontal flip),
       which the rungs before do not do at all: this rung shows what augmenting costs when done this way
    5. + channels_last memory format for the network and its inputs
    6. + torch.compile (its compile time is printed apart; skipped, with the reason, where it fails)
    7. + bf16 autocast (on CUDA GPUs and CPUs; skipped, with the reason, elsewhere)

Every rung trains seeds' ``CifarNet`` with SGD and momentum on GENERATED CIFAR-shaped data
(``helpers.data.GeneratedCIFAR10``), timed in steady state after warm-up batches. It prints images/s for each
rung and its ratio to the official recipe. These are speeds, not accuracies: no accuracy is claimed here.

Usage (from the repository root, with the course's environment):
    python benchmarks/ladder.py                     # auto device (cuda -> mps -> cpu)
    python benchmarks/ladder.py --device cpu --no-compile
    python benchmarks/ladder.py --images 50000 --train-size 50000
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator

import torch
from torch import nn

from cifar_throughput import device_with_header, official_loader, require_positive, timed_training
from helpers.augment import random_crop_flip
from helpers.data import CifarTensors, GeneratedCIFAR10, fast_loader, tutorial_transform
from helpers.models import CifarNet
from helpers.train import synchronize

PAD = 4


def device_batches(
    images: torch.Tensor, labels: torch.Tensor, batch_size: int, mean: torch.Tensor, std: torch.Tensor,
    generator: torch.Generator, augment: bool,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield normalized batches from uint8 images that already sit on the device, forever.

    Each batch: a slice of a random permutation, ``(x / 255 - mean) / std``, and with ``augment`` random crops
    with 4 pixels of padding and random flips (``helpers.augment.random_crop_flip``), all on the device.
    """
    n = images.shape[0]
    while True:
        order = torch.randperm(n, generator=generator).to(images.device)
        for start in range(0, n - batch_size + 1, batch_size):
            index = order[start:start + batch_size]
            x = images[index].float().div_(255).sub_(mean).div_(std)
            yield (random_crop_flip(x, PAD) if augment else x), labels[index]


def timed_steps(
    batches: Iterator[tuple[torch.Tensor, torch.Tensor]], net: nn.Module, device: torch.device, images: int,
    warmup_batches: int = 5, memory_format: torch.memory_format = torch.contiguous_format,
    autocast: torch.dtype | None = None,
) -> float:
    """Train ``net`` on ``batches``; return images/s after warm-up."""
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    seen, done, start = 0, 0, 0.0
    for inputs, labels in batches:
        if done == warmup_batches:
            synchronize(device)
            start = time.perf_counter()
        inputs = inputs.to(device, non_blocking=True).contiguous(memory_format=memory_format)
        labels = labels.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=autocast, enabled=autocast is not None):
            loss = loss_fn(net(inputs), labels)
        loss.backward()
        optimizer.step()
        done += 1
        if done > warmup_batches:
            seen += labels.shape[0]
            if seen >= images:
                break
    synchronize(device)
    return seen / (time.perf_counter() - start)


def loader_forever(loader) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    while True:
        yield from loader


def fresh_net(device: torch.device, memory_format: torch.memory_format = torch.contiguous_format) -> nn.Module:
    torch.manual_seed(0)
    return CifarNet().to(device, memory_format=memory_format)


def bf16_reason(device: torch.device) -> str | None:
    """None when bf16 autocast can be measured here, else why not.

    On a CPU it is measured too: it is fast on CPUs with bf16 instructions (AVX-512 BF16, AMX) and slow elsewhere.
    """
    if device.type == "cuda" and not torch.cuda.is_bf16_supported(including_emulation=False):
        return f"{torch.cuda.get_device_name(device)} has no bf16 support"
    if device.type not in ("cuda", "cpu"):
        return f"bf16 autocast is measured on CUDA GPUs and CPUs only, not on {device.type}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto", help="cpu, cuda, cuda:N, mps or auto (default: auto)")
    parser.add_argument("--train-size", type=int, default=20_000, help="generated training images (default 20000)")
    parser.add_argument("--images", type=int, default=20_000, help="images timed per rung (default 20000)")
    parser.add_argument("--official-images", type=int, default=2_000, help="images timed for rung 0 (default 2000)")
    parser.add_argument("--batch-size", type=int, default=512, help="the large batch of rungs 2-7 (default 512)")
    parser.add_argument("--no-compile", action="store_true", help="skip the torch.compile rung")
    args = parser.parse_args(argv)
    require_positive(parser, args, ("train_size", "images", "official_images", "batch_size"))
    if args.batch_size > args.train_size:
        parser.error(f"--batch-size ({args.batch_size}) must not exceed --train-size ({args.train_size})")
    device = device_with_header(args.device)

    dataset = GeneratedCIFAR10(train=True, size=args.train_size, transform=tutorial_transform())
    tensors = CifarTensors.from_dataset(dataset)
    results: list[tuple[str, float | None, str]] = []

    def report(name: str, speed: float | None, note: str) -> None:
        results.append((name, speed, note))
        print(f"  {name:<48} {'-' if speed is None else f'{speed:,.0f} images/s':>18}  {note}", flush=True)

    def rung(name: str, measure: Callable[[], float], note: Callable[[], str] = lambda: "") -> None:
        try:
            speed = measure()
        except Exception as error:  # a rung that cannot run here is reported, not fatal
            report(name, None, f"skipped: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
        else:
            report(name, speed, note())

    def skip(name: str, reason: str) -> None:
        report(name, None, f"skipped: {reason}")

    official, _ = timed_training(official_loader(dataset, 2), device, warmup_batches=50, images=args.official_images)
    report("0. official recipe (PIL, batch 4, 2 workers)", official, "")

    rung("1. notebook 06 pipeline (uint8 tensor, batch 64)",
         lambda: timed_steps(loader_forever(fast_loader(tensors, batch_size=64, shuffle=True, seed=0)),
                             fresh_net(device), device, args.images))
    rung(f"2. batch {args.batch_size} (scale the learning rate too)",
         lambda: timed_steps(loader_forever(fast_loader(tensors, batch_size=args.batch_size, shuffle=True, seed=0)),
                             fresh_net(device), device, args.images))

    on_device = tensors.images.to(device)
    labels = tensors.labels.to(device)
    mean, std = tensors.mean.to(device), tensors.std.to(device)

    def device_data(augment: bool = True) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return device_batches(on_device, labels, args.batch_size, mean, std, torch.Generator().manual_seed(0), augment)

    rung("3. data on the device (one uint8 tensor)", lambda: timed_steps(device_data(augment=False),
                                                                         fresh_net(device), device, args.images))
    rung("4. + augmentation on the device (crop, flip)", lambda: timed_steps(device_data(), fresh_net(device),
                                                                              device, args.images))
    last = torch.channels_last
    rung("5. + channels_last", lambda: timed_steps(device_data(), fresh_net(device, last), device, args.images,
                                                   memory_format=last))
    if args.no_compile:
        skip("6. + torch.compile", "--no-compile")
    else:
        warm_up_seconds = []

        def compiled() -> float:
            started = time.perf_counter()
            net = torch.compile(fresh_net(device, last))
            timed_steps(device_data(), net, device, args.batch_size * 3, warmup_batches=2, memory_format=last)
            warm_up_seconds.append(time.perf_counter() - started)
            return timed_steps(device_data(), net, device, args.images, memory_format=last)

        rung("6. + torch.compile", compiled, lambda: f"(compiling and warming up took {warm_up_seconds[0]:.0f} s)")
    reason = bf16_reason(device)
    if reason:
        skip("7. + bf16 autocast", reason)
    else:
        rung("7. + bf16 autocast (without compile)", lambda: timed_steps(device_data(), fresh_net(device, last), device,
                                                                    args.images, memory_format=last,
                                                                    autocast=torch.bfloat16))

    print()
    print(f"{'rung':<48} {'images/s':>12} {'vs official':>12}")
    for name, speed, note in results:
        if speed is None:
            print(f"{name:<48} {'-':>12} {'-':>12}  {note}")
        else:
            print(f"{name:<48} {speed:>12,.0f} {speed / official:>11.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
