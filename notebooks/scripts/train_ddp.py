"""Train notebook 07's recipe on CIFAR10 with several processes: PyTorch's DistributedDataParallel (DDP).

Launch it with torchrun, which starts N copies of this script and tells each one who it is:

    torchrun --standalone --nproc_per_node=2 notebooks/scripts/train_ddp.py            # 2 GPUs, or 2 CPU processes
    torchrun --standalone --nproc_per_node=4 notebooks/scripts/train_ddp.py --epochs 10 --sync-bn

What each process does:
- It reads its rank (0 .. N-1), its local rank (which GPU on this machine) and the world size (N) from the
  environment variables that torchrun sets, and joins the process group: NCCL between GPUs where PyTorch has it
  (Linux), gloo on CPUs and on builds without NCCL (Windows).
- It builds the same network from the same seed. DDP also copies rank 0's weights and buffers to the others at the
  start, so every process begins identical.
- A DistributedSampler gives each process a different 1/N of the training images each epoch (``set_epoch``
  reshuffles them); each process works on ``--batch-size // N`` images per step, and all N together on N times
  that (512 by default; with 3, 6 or 7 processes a little less, and the script says how much).
- In ``backward()`` DDP averages the gradients of all processes (an all-reduce, overlapped with the backward pass)
  before the optimizer steps, so every process takes the same step and the weights stay identical.
- That average equals the gradient one process would compute on the whole global batch only when each image's
  loss does not depend on the other images of its batch. BatchNorm breaks that: in training mode each process
  normalizes with the mean and variance of its own share. ``--sync-bn`` (CUDA GPUs only: PyTorch's SyncBatchNorm
  does not run on the CPU) computes them over the whole global batch instead, at the price of an extra
  all-reduce in every BatchNorm layer's forward and backward pass.
- BatchNorm's running statistics (buffers, not parameters) are not averaged: at the start of every forward pass
  DDP copies rank 0's buffers to all processes (``forward_sync_buffers``, formerly ``broadcast_buffers``, on by
  default), so the running statistics that are saved are rank 0's, gathered from rank 0's shares.
- Only rank 0 prints and saves the checkpoint (``model.module.state_dict()``: the network without its DDP wrapper),
  and the others wait at a barrier, so no two processes write the same file.

Several machines: start the same command on every machine, with the number of machines and one agreed meeting point
(a host and port every machine can reach, and a job id) instead of ``--standalone``:
``torchrun --nnodes=2 --nproc_per_node=8 --rdzv-id=job1 --rdzv-backend=c10d --rdzv-endpoint=HOST:29500 ...``.
torchrun then numbers all 16 processes (ranks 0-15) and NCCL carries the all-reduce between the machines.

Windows: if torchrun stops with "use_libuv was requested but PyTorch was built without libuv support", set the
environment variable ``USE_LIBUV=0`` first (pytorch/pytorch#139990); notebook 07's launch cell does that for you.

With ``COURSE_SMOKE=1`` (or ``--smoke``) it trains a narrow network for one epoch on a small generated stand-in of
CIFAR10 (not real results), which is how the course's tests run it.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from helpers.augment import random_crop_flip
from helpers.config import announce_smoke, data_dir, display_path, smoke_mode
from helpers.data import CifarTensors, load_cifar10
from helpers.i18n import LANGUAGES, _, set_language
from helpers.models import SmallResNet


def whole_batches(batch):
    """The dataset already returns a whole batch (``CifarTensors.__getitems__``): nothing to collate."""
    return batch


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10, help="passes over the training set (default 10)")
    parser.add_argument("--batch-size", type=int, default=512, help="global batch, over all processes (default 512)")
    parser.add_argument("--lr", type=float, default=0.4, help="peak learning rate of the one-cycle schedule (default 0.4)")
    parser.add_argument("--width", type=int, default=32, help="SmallResNet's first width (default 32)")
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="where rank 0 saves the weights (default: <data folder>/checkpoints/small_resnet_ddp.pt)")
    parser.add_argument("--train-images", type=int, default=None,
                        help="train on the first N training images only (a quick try on a CPU); default: all")
    parser.add_argument("--sync-bn", action="store_true",
                        help="normalize BatchNorm over the whole global batch (SyncBatchNorm; CUDA GPUs only)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run on generated data, as COURSE_SMOKE=1 does")
    parser.add_argument("--language", choices=sorted(LANGUAGES), default="en",
                        help="the language of the lines it prints (notebook 07 passes its edition's; default en)")
    parser.add_argument("--dump-weights", type=Path, default=None,
                        help="each rank saves its final weights here as rank<R>.pt (the tests compare them)")
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size", "width", "train_images"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive int, got {getattr(args, name)}")
    if not args.lr > 0:
        parser.error(f"--lr must be positive, got {args.lr}")
    return args


def pick_backend(local_rank: int) -> tuple[torch.device, str]:
    """This process's device and the process group's backend: NCCL between CUDA GPUs where PyTorch has it, else gloo.

    Windows builds of PyTorch have no NCCL; gloo also carries CUDA tensors, more slowly.
    """
    if torch.cuda.is_available():
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
        return device, "nccl" if dist.is_nccl_available() else "gloo"
    return torch.device("cpu"), "gloo"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    set_language(args.language)
    if "RANK" not in os.environ:
        sys.exit("Start this script with torchrun, for example:\n"
                 "  torchrun --standalone --nproc_per_node=2 notebooks/scripts/train_ddp.py")
    rank, local_rank, world = int(os.environ["RANK"]), int(os.environ["LOCAL_RANK"]), int(os.environ["WORLD_SIZE"])
    device, backend = pick_backend(local_rank)
    if args.sync_bn and device.type != "cuda":
        sys.exit(_("--sync-bn needs CUDA GPUs: PyTorch's SyncBatchNorm does not run on the CPU. "
                   "Leave it out, and each process normalizes with its own share of the batch."))
    dist.init_process_group(backend, device_id=device if backend == "nccl" else None)
    lead = rank == 0
    try:
        return train(args, rank, world, device, lead)
    finally:
        dist.destroy_process_group()


def split_batch(global_batch: int, world: int) -> tuple[int, int]:
    """(images per process, global batch actually used): the largest multiple of ``world`` up to ``global_batch``."""
    per_process = global_batch // world
    if per_process < 1:
        raise SystemExit(_("--batch-size {batch} gives no image to each of {world} processes: "
                           "use a batch of at least {world}").format(batch=global_batch, world=world))
    return per_process, per_process * world


def train(args: argparse.Namespace, rank: int, world: int, device: torch.device, lead: bool) -> int:
    if args.smoke:
        os.environ["COURSE_SMOKE"] = "1"
    smoke = smoke_mode()
    if smoke and lead:
        announce_smoke("1 epoch of a narrow network (width 8, batch 64) on a small generated stand-in of CIFAR10")
    epochs, width, asked = (1, 8, 64) if smoke else (args.epochs, args.width, args.batch_size)
    per_process, batch_size = split_batch(asked, world)

    # Rank 0 downloads (or finds) the data first; the others wait, then read the same files (quietly: rank 0 speaks).
    if not lead:
        dist.barrier()
    with contextlib.redirect_stdout(sys.stdout if lead else io.StringIO()):
        train_set = CifarTensors.from_dataset(load_cifar10(train=True))
        test_set = CifarTensors.from_dataset(load_cifar10(train=False))
    if lead:
        dist.barrier()
    if args.train_images is not None:  # every process checks, so none is left waiting for the others
        if args.train_images > len(train_set):
            raise SystemExit(_("--train-images {asked} asks for more images than the training set has ({total:,})")
                             .format(asked=args.train_images, total=len(train_set)))
        train_set = CifarTensors(train_set.images[:args.train_images], train_set.labels[:args.train_images])

    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=0, drop_last=True)
    loader = DataLoader(train_set, batch_size=per_process, sampler=sampler, drop_last=True, collate_fn=whole_batches)
    test_loader = DataLoader(test_set, batch_size=1000,
                             sampler=DistributedSampler(test_set, num_replicas=world, rank=rank, shuffle=False),
                             collate_fn=whole_batches)
    if len(loader) == 0:
        raise SystemExit(_("{images} training images make no full batch of {per_process} per process: "
                           "use more images or a smaller --batch-size").format(images=len(train_set),
                                                                                per_process=per_process))

    torch.manual_seed(0)
    model = SmallResNet(width=width)
    if args.sync_bn:  # BatchNorm over the global batch: one more all-reduce per BatchNorm layer and pass
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    model = model.to(device, memory_format=torch.channels_last)
    model = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=epochs * len(loader),
                                                    pct_start=0.25)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.2)
    bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported(including_emulation=False)
    if lead:
        line = _("{world} processes ({backend}); global batch {batch} = {world} × {per_process}; {images:,} training "
                 "images, {steps} steps per epoch; SmallResNet(width={width}); {precision}; {batchnorm}")
        where = _("GPUs") if device.type == "cuda" else _("CPUs")
        print(line.format(world=world, backend=f"{dist.get_backend()}, {where}", batch=batch_size,
                          per_process=per_process, images=len(train_set), steps=len(loader), width=width,
                          precision=_("bf16 autocast: on") if bf16 else _("bf16 autocast: off"),
                          batchnorm=_("SyncBatchNorm over the global batch") if args.sync_bn
                          else _("BatchNorm per process")), flush=True)
        if batch_size != asked:
            print(_("{asked} images do not split evenly over {world} processes: each takes {per_process}, so the "
                    "global batch is {batch} (the learning rate stays {lr:g})").format(
                asked=asked, world=world, per_process=per_process, batch=batch_size, lr=args.lr), flush=True)

    for epoch in range(epochs):
        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every process
        model.train()
        started = time.perf_counter()
        for images, labels in loader:
            images = images.to(device, non_blocking=True).contiguous(memory_format=torch.channels_last)
            labels = labels.to(device, non_blocking=True)
            images = random_crop_flip(images)
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
                loss = loss_fn(model(images), labels)
            loss.backward()  # DDP averages the gradients of all processes here
            optimizer.step()
            scheduler.step()
        accuracy = evaluate(model, test_loader, device, bf16)
        if lead:
            line = _("epoch {epoch}/{epochs}: last batch loss {loss:.3f}, "
                     "test accuracy {accuracy:.1%} ({seconds:.1f} s)")
            print(line.format(epoch=epoch + 1, epochs=epochs, loss=loss.item(), accuracy=accuracy,
                              seconds=time.perf_counter() - started), flush=True)

    if args.dump_weights is not None:
        args.dump_weights.mkdir(parents=True, exist_ok=True)
        torch.save(model.module.state_dict(), args.dump_weights / f"rank{rank}.pt")
    if lead:
        path = args.checkpoint or data_dir() / "checkpoints" / "small_resnet_ddp.pt"
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(model.module.state_dict(), path)
        print(_("rank 0 saved the weights to {path}").format(path=display_path(path)), flush=True)
    dist.barrier()  # nobody leaves before the checkpoint is written
    return 0


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader, device: torch.device, bf16: bool) -> float:
    """Accuracy on the test set: each process counts its share, an all-reduce adds the counts up.

    (DistributedSampler pads the shares to equal length by repeating a few images when N does not divide the
    test set; 10 000 images split evenly over 2, 4, 5 or 8 processes.)
    """
    model.eval()
    counts = torch.zeros(2, device=device)
    for images, labels in loader:
        images = images.to(device).contiguous(memory_format=torch.channels_last)
        labels = labels.to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            predictions = model(images).argmax(dim=1)
        counts += torch.stack([(predictions == labels).sum().float(), torch.tensor(float(len(labels)), device=device)])
    dist.all_reduce(counts)
    return (counts[0] / counts[1]).item()


if __name__ == "__main__":
    sys.exit(main())
