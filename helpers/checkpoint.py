"""Saving and loading a model's weights (its ``state_dict``) in the course's data folder, without ever losing them.

A save writes a temporary file next to the checkpoint and renames it over the old one only once it is complete, so an
interrupted kernel, a full disk or an unpicklable state leaves the previous checkpoint as it was. A load that fails
(another architecture, a corrupt file) leaves the model exactly as it was.
"""

from __future__ import annotations

import copy
import errno
import os
import secrets
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import torch
from torch import nn

from helpers.config import DATA_DIR_ENV, data_dir, display_path
from helpers.i18n import _

CHECKPOINT_FOLDER = "checkpoints"
# prefixes a wrapper puts before every key of the model it wraps -> what the learner wrapped it in
WRAPPER_PREFIXES = {"module.": "DistributedDataParallel / DataParallel", "_orig_mod.": "torch.compile"}
_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


def _unwrapped(model: nn.Module) -> nn.Module:
    """The model inside a DistributedDataParallel / DataParallel / torch.compile wrapper (or ``model`` itself)."""
    if isinstance(model, (nn.DataParallel, nn.parallel.DistributedDataParallel)):
        return _unwrapped(model.module)
    if type(model).__name__ == "OptimizedModule" and isinstance(getattr(model, "_orig_mod", None), nn.Module):
        return _unwrapped(model._orig_mod)
    return model


def default_name(model: nn.Module) -> str:
    """The file name ``save_checkpoint`` and ``load_checkpoint`` use when given none: the class, ``CifarNet.pth``.

    No lesson writes a file by that name (notebook 06's own ``torch.save`` writes ``cifar_net.pth``), and two
    architectures never share one.
    """
    return f"{type(_unwrapped(model)).__name__}.pth"


def checkpoint_path(name: str | Path) -> Path:
    """Return where checkpoint ``name`` lives: ``data_dir()/checkpoints/name`` (a path given as such is kept)."""
    if isinstance(name, Path):
        return name
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty file name like 'cifar_net.pth' or a Path, got {name!r}")
    if "/" in name or "\\" in name:
        return Path(name)
    return data_dir() / CHECKPOINT_FOLDER / name


def write_atomically(path: str | Path, write: Callable[[IO[bytes]], Any]) -> Path:
    """Write ``path`` so that it is either complete or as it was: ``write(handle)`` fills a temporary file in the
    same folder, which is flushed to disk and then renamed over ``path``; on any failure (an exception, a full disk,
    an interrupted kernel) the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as handle:  # "x": never reuse a file; the default mode, as any file it writes
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX); Windows has no folder handles
        try:
            folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return path
        try:
            os.fsync(folder)
        except OSError:
            pass
        finally:
            os.close(folder)
    return path


def _write_error(error: OSError, path: Path, existed: bool) -> OSError | None:
    """A clear error for an ``OSError`` while saving ``path`` (None when it is not a common one)."""
    folder = display_path(path.parent)
    if error.errno in _NOT_WRITABLE:
        reason = _("a read-only file system") if error.errno == errno.EROFS else _("permission denied")
        return PermissionError(
            _(
                "cannot save the checkpoint in {folder} ({reason}); save it in a folder you can write to: set "
                "{variable} to one (for example run %env {variable}=~/course-data in a cell), or pass a full "
                "path such as save_checkpoint(model, Path.home() / {name})"
            ).format(folder=folder, reason=reason, variable=DATA_DIR_ENV, name=repr(path.name)),
        )
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        kept = (
            _("the previous {name} is untouched").format(name=path.name)
            if existed
            else _("no file was written")
        )
        return OSError(
            _(
                "the disk holding {folder} is full, so the checkpoint was not saved ({kept}); free some space "
                "(old checkpoints in {folder}, datasets you no longer need) and save again"
            ).format(folder=folder, kept=kept),
        )
    return None


def _torch_save(state: dict[str, Any], handle: IO[bytes]) -> None:
    """``torch.save(state, handle)``, raising the real failure when a failed write (a full disk, an interrupted kernel)
    makes torch's own clean-up fail too (it would report "[enforce fail at inline_container.cc] unexpected pos")."""
    try:
        torch.save(state, handle)
    except BaseException as error:
        first = error
        while first.__context__ is not None and first.__cause__ is None and not first.__suppress_context__:
            first = first.__context__
        if first is error:
            raise
        raise first.with_traceback(first.__traceback__) from None


def save_checkpoint(model: nn.Module, name: str | Path | None = None) -> Path:
    """Save ``model.state_dict()`` (weights only) and return the file's path.

    Args:
        model: the network whose weights to save.
        name: a file name in ``data_dir()/checkpoints`` or a path; by default the model's class, e.g. ``CifarNet.pth``.

    The file is written completely or not at all (see ``write_atomically``). Saving over an existing checkpoint
    replaces it, as re-running a save cell should, and prints a line saying so. A model wrapped in
    DistributedDataParallel, DataParallel or torch.compile is saved as the model inside (no ``module.`` prefix).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    path = checkpoint_path(default_name(model) if name is None else name)
    if path.is_dir():
        raise IsADirectoryError(
            _("{path} is a folder; pass a file name for the checkpoint, such as {name}").format(
                path=display_path(path), name=repr(default_name(model))
            )
        )
    state = _unwrapped(model).state_dict()  # a DDP / compiled model's weights, without the wrapper's prefix
    existed = path.is_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda handle: _torch_save(state, handle))
    except OSError as error:
        clear = _write_error(error, path, existed)
        if clear is None:
            raise
        raise clear from None
    if existed:
        print(
            _("⚠️  replaced the earlier checkpoint {path}; to keep both, save under another name").format(
                path=display_path(path)
            )
        )
    return path


def _check_map_location(map_location: object) -> None:
    """Refuse a ``map_location`` that ``torch.load`` would misreport (a device name it does not know, an absent GPU)."""
    if map_location is None or isinstance(map_location, dict) or callable(map_location):
        return  # torch.load's other forms: keep the saved device, a {saved: wanted} mapping, a function
    if not isinstance(map_location, (str, torch.device)):
        raise TypeError(
            _(
                "map_location must be a device like \"cpu\", \"cuda\", \"cuda:0\" or \"mps\", got {kind} {value}"
            ).format(kind=type(map_location).__name__, value=repr(map_location))
        )
    try:
        device = torch.device(map_location)
    except RuntimeError:
        raise ValueError(
            _(
                "map_location must be a device like \"cpu\", \"cuda\", \"cuda:0\" or \"mps\", got {value}; "
                "to load onto an NVIDIA GPU write map_location=\"cuda\", on a Mac with Apple silicon "
                "map_location=\"mps\""
            ).format(value=repr(map_location))
        ) from None
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0 or (device.index is not None and device.index >= count):
            raise ValueError(
                _(
                    "map_location={value} asks for a CUDA GPU this machine does not have "
                    "(torch.cuda.device_count() is {count}); load with map_location=\"cpu\", "
                    "or pick a device with helpers.pick_device()"
                ).format(value=repr(str(map_location)), count=count)
            )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            _(
                "map_location={value} asks for Apple's MPS GPU, which this machine does not have; "
                "load with map_location=\"cpu\", or pick a device with helpers.pick_device()"
            ).format(value=repr(str(map_location)))
        )


def _wrapped_prefix(keys: set[str]) -> str | None:
    """The wrapper prefix (``module.``, ``_orig_mod.``) every key starts with, if any."""
    for prefix in WRAPPER_PREFIXES:
        if keys and all(key.startswith(prefix) for key in keys):
            return prefix
    return None


def _snapshot(model: nn.Module) -> dict[str, Any]:
    """A copy of everything ``load_state_dict`` can change, to put back if a load fails."""
    return {
        key: value.detach().clone() if isinstance(value, torch.Tensor) else copy.deepcopy(value)
        for key, value in model.state_dict().items()
    }


def load_checkpoint(
    model: nn.Module, name: str | Path | None = None, map_location: str | torch.device | None = "cpu"
) -> nn.Module:
    """Load weights saved by ``save_checkpoint`` into ``model`` (with ``weights_only=True``) and return it.

    Args:
        model: a network of the same architecture as the one saved.
        name: a file name in ``data_dir()/checkpoints`` or a path; by default the model's class, e.g. ``CifarNet.pth``.
        map_location: the device to load the tensors onto ("cpu", "cuda", "cuda:0", "mps").

    A checkpoint saved from a ``DistributedDataParallel`` / ``DataParallel`` / ``torch.compile`` wrapper (every key
    starts with ``module.`` or ``_orig_mod.``) loads, with a warning; a wrapped ``model`` loads into the model inside.
    If the load fails, the model is left exactly as it was.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_map_location(map_location)
    path = checkpoint_path(default_name(model) if name is None else name)
    if not path.is_file():
        raise FileNotFoundError(
            _(
                "no checkpoint at {path}; train the model and run save_checkpoint(model, {name}) first "
                "(checkpoints live in {folder})"
            ).format(
                path=display_path(path), name=repr(path.name),
                folder=display_path(data_dir(create=False) / CHECKPOINT_FOLDER),
            )
        )
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # pickle refusals and corrupt files alike
        raise ValueError(
            _(
                "{path} is not a weights-only checkpoint that torch.load(..., weights_only=True) can read "
                "({error}); save it with save_checkpoint"
            ).format(
                path=display_path(path),
                error=f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}",
            )
        ) from None
    if not isinstance(state, dict):
        raise ValueError(
            _("{path} should hold a state_dict (a dict of tensors), got {kind}").format(
                path=display_path(path), kind=type(state).__name__
            )
        )
    target = _unwrapped(model)  # a wrapper's own state_dict only adds a prefix to the inner model's names
    wanted = set(target.state_dict())
    prefix = _wrapped_prefix(set(state))
    stripped = prefix is not None and set(state) != wanted and {key[len(prefix):] for key in state} == wanted
    if stripped:
        state = {key[len(prefix):]: value for key, value in state.items()}
    before = _snapshot(target)
    try:
        target.load_state_dict(state)
    except BaseException as error:
        target.load_state_dict(before)  # torch has already copied every tensor whose shape matched: undo that
        if not isinstance(error, RuntimeError):
            raise
        lines = [
            _(
                "the checkpoint {name} does not fit this {model}: it was saved from a network "
                "with other layers or sizes (e.g. a wider one). Build the same architecture before loading."
            ).format(name=path.name, model=type(target).__name__)
        ]
        if prefix is not None and not stripped:
            lines.append(
                _(
                    "Its keys start with {prefix}: it was saved from a model wrapped in {wrapper}. Even without "
                    "{prefix} its names differ from this model's, so it holds another architecture."
                ).format(prefix=repr(prefix), wrapper=WRAPPER_PREFIXES[prefix])
            )
        lines.append(_("Your model is unchanged."))
        raise ValueError("\n".join(lines) + f"\n{error}") from None
    if stripped:
        warnings.warn(
            _(
                "{name} was saved from a model wrapped in {wrapper} (every key starts with {prefix}); loaded it "
                "into this {model} by matching the names without {prefix}. Next time save the model inside the "
                "wrapper: save_checkpoint(model) does that, or torch.save({inner}.state_dict(), path)"
            ).format(
                name=path.name, wrapper=WRAPPER_PREFIXES[prefix], prefix=repr(prefix), model=type(target).__name__,
                inner="model.module" if prefix == "module." else "model._orig_mod",
            ),
            UserWarning,
            stacklevel=2,
        )
    return model
