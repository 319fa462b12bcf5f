"""Course-wide settings read from environment variables: the data folder and smoke mode."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from helpers.i18n import _

DATA_DIR_ENV = "COURSE_DATA_DIR"
SMOKE_ENV = "COURSE_SMOKE"
SMOKE_FOLDER = "smoke-run"  # inside the data folder: everything a smoke run writes, apart from real results

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def repo_root() -> Path:
    """Return the course checkout's root folder (the one holding ``pyproject.toml``)."""
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").is_file() and (here / "helpers").is_dir():
        return here
    # Installed without a checkout (not editable): fall back to the working directory.
    return Path.cwd()


def data_dir(create: bool = True) -> Path:
    """Return the folder for datasets, checkpoints and anything notebooks write.

    Defaults to ``data/`` at the repository root; set ``COURSE_DATA_DIR`` to move it. In smoke mode it is the
    ``smoke-run/`` folder inside it, however smoke mode was switched on (``make test``, or ``%env COURSE_SMOKE=1`` in
    a notebook): a smoke run's checkpoints, made from generated data, never land where real results live.
    """
    raw = os.environ.get(DATA_DIR_ENV, "").strip()
    base = Path(raw).expanduser() if raw else repo_root() / "data"
    if base.exists() and not base.is_dir():
        raise NotADirectoryError(
            _(
                "{variable} must name a folder, but {path} is a file; "
                "point {variable} at a folder or unset it to use the default data/ folder"
            ).format(variable=DATA_DIR_ENV, path=repr(str(base)))
        )
    path = base / SMOKE_FOLDER if smoke_mode() else base
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            reason = _("a read-only file system") if error.errno == errno.EROFS else _("permission denied")
            message = (
                _(
                    "the course cannot create its data folder {folder}, which {variable} names ({reason}); point "
                    "{variable} at a folder you can write to (for example run %env {variable}=~/course-data in a "
                    "cell), or unset it to use the default data/ folder"
                )
                if raw
                else _(
                    "the course cannot create its data folder {folder} ({reason}); set {variable} to a folder you "
                    "can write to, for example run %env {variable}=~/course-data in a cell"
                )
            )
            raise PermissionError(
                message.format(variable=DATA_DIR_ENV, folder=display_path(path) + "/", reason=reason)
            ) from None
    return path


def display_path(path: str | os.PathLike) -> str:
    """Return ``path`` as a reader should see it: relative to the course folder, or with ``~`` for the home folder.

    Printed paths end up in stored notebook outputs; an absolute path there would show the author's machine.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"display_path expects a path (str or pathlib.Path), got {type(path).__name__} {path!r}")
    full = Path(path).expanduser().absolute()
    for base, shown in ((repo_root().absolute(), None), (Path.home().absolute(), "~")):
        try:
            rest = full.relative_to(base)
        except ValueError:
            continue
        if shown is None:
            return rest.as_posix() if rest.parts else "."
        return "/".join([shown, *rest.parts])
    return full.as_posix()


def smoke_mode() -> bool:
    """Return True when ``COURSE_SMOKE`` asks notebooks to shrink their work (as CI does)."""
    raw = os.environ.get(SMOKE_ENV, "")
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        _(
            "{variable} must be 1/true/yes/on or 0/false/no/off (or unset), got {value}; "
            "unset it for the full course, or set {variable}=1 for the shrunken CI run"
        ).format(variable=SMOKE_ENV, value=repr(raw))
    )


def announce_smoke(what: str) -> bool:
    """Print a visible banner saying what smoke mode changed; return whether smoke mode is on.

    Prints nothing when smoke mode is off, so real runs stay clean. ``what`` is looked up in the message
    catalog too, so the notebooks' own descriptions (extracted from them) appear translated.
    """
    if not isinstance(what, str) or not what.strip():
        raise ValueError(
            f"announce_smoke expects a non-empty description of what smoke mode changes, got {what!r}"
        )
    if not smoke_mode():
        return False
    print(
        _("⚠️  SMOKE MODE ({variable}=1): {what} — these are not real results.").format(
            variable=SMOKE_ENV, what=_(what.strip())
        )
    )
    return True
