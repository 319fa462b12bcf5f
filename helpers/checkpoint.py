"""Saving and loading a model's weights (its ``state_dict``) in the course's data folder."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from helpers.config import data_dir
from helpers.i18n import _

CHECKPOINT_FOLDER = "checkpoints"


def checkpoint_path(name: str | Path) -> Path:
    """Return where checkpoint ``name`` lives: ``data_dir()/checkpoints/name`` (a path given as such is kept)."""
    if isinstance(name, Path):
        return name
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty file name like 'cifar_net.pth' or a Path, got {name!r}")
    if "/" in name or "\\" in name:
        return Path(name)
    return data_dir() / CHECKPOINT_FOLDER / name


def save_checkpoint(model: nn.Module, name: str | Path = "cifar_net.pth") -> Path:
    """Save ``model.state_dict()`` (weights only) and return the file's path."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    path = checkpoint_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return path


def load_checkpoint(model: nn.Module, name: str | Path = "cifar_net.pth", map_location: str | torch.device = "cpu") -> nn.Module:
    """Load weights saved by ``save_checkpoint`` into ``model`` (with ``weights_only=True``) and return it."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    path = checkpoint_path(name)
    if not path.is_file():
        raise FileNotFoundError(
            _(
                "no checkpoint at {path}; train the model and run save_checkpoint(model, {name}) first "
                "(checkpoints live in {folder})"
            ).format(path=path, name=repr(path.name), folder=data_dir(create=False) / CHECKPOINT_FOLDER)
        )
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # pickle refusals and corrupt files alike
        raise ValueError(
            _(
                "{path} is not a weights-only checkpoint that torch.load(..., weights_only=True) can read "
                "({error}); save it with save_checkpoint"
            ).format(path=path, error=f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        ) from None
    if not isinstance(state, dict):
        raise ValueError(
            _("{path} should hold a state_dict (a dict of tensors), got {kind}").format(
                path=path, kind=type(state).__name__
            )
        )
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        raise ValueError(
            _(
                "the checkpoint {name} does not fit this {model}: it was saved from a network "
                "with other layers or sizes (e.g. a wider one). Build the same architecture before loading."
            ).format(name=path.name, model=type(model).__name__)
            + f"\n{error}"
        ) from None
    return model
