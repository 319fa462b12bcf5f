"""Choosing where tensors and models live: CUDA, then Apple's MPS, then the CPU.

Built on ``torch.accelerator`` (PyTorch 2.6 and later), the one API that asks whichever accelerator this PyTorch was
built for; on an older PyTorch the per-backend checks (``torch.cuda.is_available()``, ``torch.backends.mps``) stand
in. The course runs on CUDA, MPS and the CPU: another accelerator (Intel's XPU...) is not picked.
"""

from __future__ import annotations

import os

import torch

from helpers.i18n import _

DEVICE_ENV = "COURSE_DEVICE"
_KINDS = ("cuda", "mps", "cpu")


def _accelerator() -> torch.device | None:
    """The accelerator this machine can use, as ``torch.accelerator`` says; ``None`` when it has none.

    Raises AttributeError on a PyTorch without ``torch.accelerator.current_accelerator`` (before 2.6).
    """
    current = torch.accelerator.current_accelerator
    try:
        return current(check_available=True)
    except TypeError:  # PyTorch 2.6: no check_available yet
        return current() if torch.accelerator.is_available() else None


def _available(kind: str) -> bool:
    if kind == "cpu":
        return True
    try:
        found = _accelerator()
    except AttributeError:  # an older PyTorch: ask each backend
        if kind == "cuda":
            return torch.cuda.is_available()
        backend = getattr(torch.backends, "mps", None)
        return bool(kind == "mps" and backend is not None and backend.is_available())
    return found is not None and found.type == kind


def _existing_index(device: torch.device, source: str) -> torch.device:
    """``device``, or a clear error when it names a CUDA GPU index this machine does not have."""
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise RuntimeError(
            _("{source} asks for {device}, but only {count} CUDA device(s) exist").format(
                source=source, device=repr(str(device)), count=torch.cuda.device_count()
            )
        )
    return device


def pick_device(prefer: str | torch.device | None = None) -> torch.device:
    """Return the best available device: cuda, then mps, then cpu.

    Args:
        prefer: force a device ("cpu", "cuda", "cuda:1", "mps"); if None, the
            ``COURSE_DEVICE`` environment variable is used when set.
    """
    source = "prefer"
    if prefer is None:
        env = os.environ.get(DEVICE_ENV, "").strip()
        if env:
            prefer, source = env, DEVICE_ENV
    if prefer is None:
        for kind in _KINDS:
            if _available(kind):
                return torch.device(kind)
    if isinstance(prefer, torch.device):
        device = prefer
    elif isinstance(prefer, str):
        try:
            device = torch.device(prefer.strip().lower())
        except RuntimeError:
            raise ValueError(
                f"{source} must be one of 'cuda', 'cuda:N', 'mps' or 'cpu', got {prefer!r}"
            ) from None
    else:
        raise TypeError(
            f"prefer must be a str, a torch.device or None, got {type(prefer).__name__}"
        )
    if device.type not in _KINDS:
        raise ValueError(
            f"{source} must be one of 'cuda', 'cuda:N', 'mps' or 'cpu', got {prefer!r}"
        )
    if not _available(device.type):
        raise RuntimeError(
            _(
                "{source} asks for {kind}, but this machine has no usable {name} device; "
                "use 'cpu', or leave it unset to pick the best available device"
            ).format(source=source, kind=repr(device.type), name=device.type.upper())
        )
    return _existing_index(device, source)


def as_device(device: torch.device | str, name: str = "device") -> torch.device:
    """Return ``device`` as a torch.device; a clear error for anything else.

    Args:
        name: the argument's name, used in the error message.
    """
    if isinstance(device, torch.device):
        return device
    if isinstance(device, str):
        try:
            return torch.device(device.strip().lower())
        except RuntimeError:
            raise ValueError(f"{name} must name a device such as 'cpu', 'cuda', 'cuda:1' or 'mps', got {device!r}") from None
    raise TypeError(f"{name} must be a torch.device or a str like 'cpu' or 'cuda', got {type(device).__name__}")


def require_available(device: torch.device | str, name: str = "device") -> torch.device:
    """Return ``device`` as a torch.device; a clear error when this machine has no such device.

    Args:
        name: the argument's name, used in the error message.
    """
    device = as_device(device, name)
    if device.type not in _KINDS or _available(device.type):
        return _existing_index(device, name)
    if device.type == "mps":
        message = _(
            "{source} asks for 'mps', but this machine has no usable MPS device: mps is only on Apple-silicon Macs; "
            "use 'cpu', or helpers.pick_device() to pick the best available device"
        )
    else:
        message = _(
            "{source} asks for {kind}, but this machine has no usable {name} device; "
            "use 'cpu', or helpers.pick_device() to pick the best available device"
        )
    raise RuntimeError(message.format(source=name, kind=repr(device.type), name=device.type.upper()))


def describe_device(device: torch.device | str) -> str:
    """Return one line naming the device, with the GPU's name and memory for CUDA."""
    device = require_available(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        props = torch.cuda.get_device_properties(index)
        return f"cuda:{index} — {props.name}, {props.total_memory / 2**30:.1f} GiB"
    if device.type == "mps":
        return _("mps — Apple silicon GPU (Metal Performance Shaders)")
    if device.type == "cpu":
        threads = torch.get_num_threads()
        if threads == 1:
            return _("cpu — 1 thread (no GPU in use)")
        return _("cpu — {threads} threads (no GPU in use)").format(threads=threads)
    raise ValueError(f"describe_device expects a cuda, mps or cpu device, got {str(device)!r}")
