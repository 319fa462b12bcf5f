"""The environment self-check of notebook 00: versions, the device, and what to do about problems."""

from __future__ import annotations

import platform
import sys

import torch

from helpers.i18n import _, display_width, pad

SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))  # make test runs on each (README)
EXPECTED_TORCH = "2.14.1"
EXPECTED_TORCHVISION = "0.29.1"


def _release(version: str) -> str:
    """Strip a local build tag: '2.14.1+cu130' -> '2.14.1'."""
    return version.split("+", 1)[0]


def environment_report(device: torch.device | None = None) -> list[tuple[str, str, str]]:
    """Return (item, value, verdict) rows: verdict is 'ok' or a short note on what to do."""
    import torchvision

    from helpers.config import display_path
    from helpers.device import describe_device, pick_device, require_available

    if device is None:
        device = pick_device()
    if not isinstance(device, torch.device):
        raise TypeError(f"device must be a torch.device or None, got {type(device).__name__}")
    require_available(device)  # 'cuda' on a machine without CUDA: say so before reporting anything
    py = sys.version_info[:2]
    ok = _("ok")
    rows = [
        (
            "Python",
            platform.python_version(),
            ok
            if py in SUPPORTED_PYTHONS
            else _("the course is tested on Python {version}").format(
                version=", ".join(f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS)
            ),
        ),
        (
            "torch",
            torch.__version__,
            ok
            if _release(torch.__version__) == EXPECTED_TORCH
            else _("expected {version}: run `make lab` from the repo").format(version=EXPECTED_TORCH),
        ),
        (
            "torchvision",
            torchvision.__version__,
            ok
            if _release(torchvision.__version__) == EXPECTED_TORCHVISION
            else _("expected {version}: run `make lab` from the repo").format(version=EXPECTED_TORCHVISION),
        ),
        # The most common setup problem is a notebook running on another Python than the course's: this says which.
        (_("kernel"), display_path(sys.executable), _("ok — the Python this notebook runs on")),
        (
            _("device"),
            describe_device(device),
            ok if device.type != "cpu" else _("ok — no GPU found; every notebook runs on the CPU"),
        ),
    ]
    return rows


def format_report(rows: list[tuple[str, str, str]]) -> str:
    """Render report rows as an aligned text table."""
    if not rows or any(not (isinstance(r, tuple) and len(r) == 3) for r in rows):
        raise ValueError(f"rows must be a non-empty list of (item, value, verdict) tuples, got {rows!r}")
    width = max(display_width(r[0]) for r in rows)
    value_width = max(display_width(r[1]) for r in rows)
    return "\n".join(
        f"{pad(item, width)}  {pad(value, value_width)}  {verdict}" for item, value, verdict in rows
    )
