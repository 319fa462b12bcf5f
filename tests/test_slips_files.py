"""Learner slips with files (issue 23): nothing a learner made is lost, and each common mistake gets one clear line.

The table (tests/slips.py) holds one row per slip with checkpoints, the data folder and the message catalog. Below it,
the property every helper that writes a file must have: a write that fails or is interrupted after any number of
bytes leaves the previous file exactly as it was, and no half-written file; and a scan of helpers/ that fails when a
new helper writes a file without being added to that property test.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import io
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
import torch
from torch import nn

import helpers.checkpoint
from helpers import i18n
from helpers.checkpoint import default_name, load_checkpoint, save_checkpoint, write_atomically
from helpers.config import data_dir
from helpers.models import CifarNet, LeNet, SmallResNet
from tests.slips import Slip, slip_tests

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- a fresh data folder for each slip


@contextlib.contextmanager
def data_folder(**env: str | None) -> Iterator[Path]:
    """A fresh, empty COURSE_DATA_DIR (not in smoke mode), plus ``env``; everything is put back afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="slips-files-"))
    wanted = {"COURSE_DATA_DIR": str(folder), "COURSE_SMOKE": None, **env}
    saved = {key: os.environ.get(key) for key in wanted}
    try:
        for key, value in wanted.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield folder
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(folder, ignore_errors=True)


def trained(model: nn.Module, seed: int = 0) -> nn.Module:
    """``model`` with weights and BatchNorm statistics no freshly built one has (as after training)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_()
        model.train()
        for _ in range(seed + 1):  # moves running_mean / running_var, and num_batches_tracked to seed + 1
            model(torch.randn(4, 3, 32, 32))
    return model


def state_copy(model: nn.Module) -> dict[str, torch.Tensor]:
    return {key: value.detach().clone() for key, value in model.state_dict().items()}


def changed_keys(model: nn.Module, before: dict[str, torch.Tensor]) -> list[str]:
    """The entries of ``model``'s state that are not bit-for-bit what they were (parameters and buffers alike)."""
    now = model.state_dict()
    assert set(now) == set(before)
    return [key for key in before if not (now[key].dtype == before[key].dtype and torch.equal(now[key], before[key]))]


# ---------------------------------------------------------------- case 1: a failed load changes nothing


def load_a_wider_checkpoint() -> None:
    with data_folder():
        save_checkpoint(CifarNet(6, 64), "wide.pth")
        load_checkpoint(trained(CifarNet()), "wide.pth")


def failed_load_changes(checkpoint: Callable[[nn.Module], dict], model: Callable[[], nn.Module]) -> list[str]:
    """Load a checkpoint that does not fit into a trained model; return the state entries that changed (want [])."""
    with data_folder() as folder:
        net = trained(model())
        torch.save(checkpoint(net), folder / "other.pth")
        before = state_copy(net)
        with pytest.raises(ValueError, match="does not fit"):
            load_checkpoint(net, folder / "other.pth")
        return changed_keys(net, before)


def wider_resnet_state(net: nn.Module) -> dict:
    """A SmallResNet twice as wide: the BatchNorm counters (num_batches_tracked) and the head's bias still fit."""
    return trained(SmallResNet(width=16), seed=1).state_dict()


def same_shapes_one_extra_key(net: nn.Module) -> dict:
    """Every tensor fits but there is one key more: strict loading refuses it only after copying all of them."""
    state = trained(type(net)(), seed=1).state_dict()
    state["extra.weight"] = torch.zeros(1)
    return state


def same_shapes_one_key_missing(net: nn.Module) -> dict:
    state = trained(type(net)(), seed=1).state_dict()
    state.pop(next(iter(state)))
    return state


def one_size_differs(net: nn.Module) -> dict:
    """CifarNet with a wider conv2: conv1, fc2 and fc3 fit and would be copied by torch before it refuses."""
    return trained(CifarNet(6, 64), seed=1).state_dict()


# ---------------------------------------------------------------- case 2: failed saves keep the previous file


class WriteFails:
    """A file handle whose writes stop after ``budget`` bytes with ``failure`` (the bytes before it are written)."""

    def __init__(self, handle: io.BufferedWriter, budget: int, failure: BaseException) -> None:
        self._handle, self._budget, self._failure = handle, budget, failure

    def write(self, data: bytes) -> int:
        data = bytes(data)
        if len(data) > self._budget:
            self._handle.write(data[: self._budget])
            self._handle.flush()  # the partial bytes really reach the file, as they do when a disk fills up
            self._budget = 0
            raise self._failure
        self._budget -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name: str):
        return getattr(self._handle, name)

    def __enter__(self) -> WriteFails:
        return self

    def __exit__(self, *exc) -> None:
        self._handle.close()


@contextlib.contextmanager
def writes_fail_after(budget: int, failure: BaseException) -> Iterator[None]:
    """Make every file the course's writers open fail after ``budget`` bytes (``write_atomically`` opens them all)."""
    real_open = open

    def failing_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        return WriteFails(handle, budget, failure) if any(flag in mode for flag in "wax+") else handle

    with mock.patch.object(helpers.checkpoint, "open", failing_open, create=True):
        yield


def previous_file_survives(failure: BaseException, budget: int = 1000) -> bool:
    """Save a good checkpoint, then a save that fails after ``budget`` bytes; True if the good one is intact."""
    with data_folder():
        path = save_checkpoint(trained(CifarNet()), "net.pth")
        good = path.read_bytes()
        expected = OSError if isinstance(failure, OSError) else type(failure)
        with writes_fail_after(budget, failure), pytest.raises(expected):
            save_checkpoint(trained(CifarNet(), seed=1), "net.pth")
        return path.read_bytes() == good and sorted(p.name for p in path.parent.iterdir()) == ["net.pth"]


def save_on_a_full_disk() -> None:
    with data_folder():
        save_checkpoint(CifarNet(), "net.pth")
        with writes_fail_after(5000, OSError(errno.ENOSPC, "No space left on device")):
            save_checkpoint(CifarNet(), "net.pth")


class UnpicklableExtraState(CifarNet):
    """A model whose state holds a lambda (custom extra state): pickling fails after the first records are written."""

    def get_extra_state(self):
        return lambda: 0

    def set_extra_state(self, state) -> None:
        pass


def unpicklable_save_keeps_the_file() -> bool:
    with data_folder():
        path = save_checkpoint(trained(CifarNet()), "net.pth")
        good = path.read_bytes()
        with pytest.raises((pickle.PicklingError, AttributeError)):  # the message differs from Python to Python
            save_checkpoint(UnpicklableExtraState(), "net.pth")
        return path.read_bytes() == good and sorted(p.name for p in path.parent.iterdir()) == ["net.pth"]


# ---------------------------------------------------------------- case 3: replacing a file is said; default name


def save_twice() -> tuple[str, str, bool]:
    """Re-run a save cell: (what the first save printed, what the second printed, the second's weights are there)."""
    with data_folder():
        first, second = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(first):
            save_checkpoint(trained(CifarNet()), "net.pth")
        newer = trained(CifarNet(), seed=1)
        with contextlib.redirect_stdout(second):
            save_checkpoint(newer, "net.pth")
        loaded = load_checkpoint(CifarNet(), "net.pth")
        return first.getvalue(), second.getvalue(), changed_keys(loaded, state_copy(newer)) == []


def lesson_file_names() -> set[str]:
    """Every checkpoint-like file name (``*.pth``, ``*.pt``) the lessons and their scripts mention."""
    names: set[str] = set()
    for path in [*ROOT.glob("notebooks/**/*.ipynb"), *ROOT.glob("notebooks/scripts/**/*.py")]:
        names |= set(re.findall(r"[\w{}\-.]+\.pth?\b", path.read_text(encoding="utf-8")))
    return names


def default_names_are_no_lessons() -> tuple[set[str], set[str]]:
    ours = {default_name(model) for model in (CifarNet(), LeNet(), SmallResNet(width=4))}
    ours.add(default_name(type("Net", (nn.Module,), {})()))  # notebook 06's own class
    return ours, lesson_file_names()


def save_and_load_without_a_name() -> bool:
    with data_folder() as folder:
        net = trained(CifarNet())
        path = save_checkpoint(net)
        loaded = load_checkpoint(CifarNet())
        return path == folder / "checkpoints" / "CifarNet.pth" and changed_keys(loaded, state_copy(net)) == []


# ---------------------------------------------------------------- case 4: unclear slips get one clear line


def load_a_ddp_checkpoint() -> bool:
    """torch.save(ddp_model.state_dict(), path): every key starts with module.; loads into the plain model."""
    with data_folder() as folder:
        net = trained(CifarNet())
        torch.save({f"module.{key}": value for key, value in net.state_dict().items()}, folder / "ddp.pth")
        loaded = load_checkpoint(CifarNet(), folder / "ddp.pth")
        return changed_keys(loaded, state_copy(net)) == []


def load_a_ddp_checkpoint_of_another_architecture() -> None:
    with data_folder() as folder:
        wide = CifarNet(6, 64).state_dict()
        wide.pop("fc3.bias")
        torch.save({f"module.{key}": value for key, value in wide.items()}, folder / "ddp.pth")
        load_checkpoint(CifarNet(), folder / "ddp.pth")


def save_a_data_parallel_model() -> set[str]:
    """save_checkpoint(nn.DataParallel(net)) saves the model inside: the keys carry no module. prefix."""
    with data_folder():
        path = save_checkpoint(nn.DataParallel(CifarNet()))
        return set(torch.load(path, weights_only=True))


def load_with_map_location(value: object, cuda: bool = True) -> None:
    with data_folder(), mock.patch.object(torch.cuda, "is_available", lambda: cuda):
        save_checkpoint(CifarNet(), "net.pth")
        load_checkpoint(CifarNet(), "net.pth", map_location=value)


def refuse_folders(under: Path) -> Callable:
    """A Path.mkdir that is denied (EACCES) for folders under ``under``, as for a folder the learner may not write."""
    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args, **kwargs) -> None:
        if self == under or under in self.parents:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    return mkdir


def unwritable_course_data_dir() -> None:
    with data_folder() as folder:
        target = folder / "shared" / "course"
        os.environ["COURSE_DATA_DIR"] = str(target)
        with mock.patch.object(Path, "mkdir", refuse_folders(folder / "shared")):
            data_dir()


def unwritable_default_data_folder() -> None:
    with data_folder(COURSE_DATA_DIR=None):
        default = helpers.config.repo_root() / "data"
        with mock.patch.object(Path, "mkdir", refuse_folders(default)):
            data_dir()


def save_where_the_learner_may_not_write() -> None:
    with data_folder() as folder, mock.patch.object(Path, "mkdir", refuse_folders(folder / "checkpoints")):
        save_checkpoint(CifarNet(), "net.pth")


def corrupt_catalog(content: bytes) -> str:
    """set_language("zh") with ``course.mo`` holding ``content``; returns the language the helpers then speak."""
    folder = Path(tempfile.mkdtemp(prefix="slips-catalog-")) / "helpers" / "locale"
    (folder / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "zh_CN" / "LC_MESSAGES" / "course.mo").write_bytes(content)
    try:
        with mock.patch.object(i18n, "LOCALE_DIR", folder):
            i18n.set_language("zh")
        return i18n.get_language() + "|" + i18n._("well done!")
    finally:
        shutil.rmtree(folder.parent.parent, ignore_errors=True)


SLIPS = [
    # 1. a failed load leaves the model exactly as it was
    Slip("load a checkpoint of another size", load_a_wider_checkpoint, error=ValueError,
         says=("wide.pth does not fit this CifarNet", "Build the same architecture", "Your model is unchanged")),
    Slip("a failed load of another size changes no weight",
         lambda: failed_load_changes(one_size_differs, CifarNet), result=lambda changed: changed == []),
    Slip("a failed load changes no BatchNorm buffer",
         lambda: failed_load_changes(wider_resnet_state, lambda: SmallResNet(width=8)),
         result=lambda changed: changed == []),
    Slip("a failed strict load (one key too many) changes nothing",
         lambda: failed_load_changes(same_shapes_one_extra_key, CifarNet), result=lambda changed: changed == []),
    Slip("a failed strict load (one key missing) changes nothing",
         lambda: failed_load_changes(same_shapes_one_key_missing, CifarNet), result=lambda changed: changed == []),
    # 2. saves are atomic
    Slip("interrupt the kernel while a checkpoint is written",
         lambda: previous_file_survives(KeyboardInterrupt()), result=lambda intact: intact is True),
    Slip("an unpicklable state keeps the previous checkpoint", unpicklable_save_keeps_the_file,
         result=lambda intact: intact is True),
    Slip("the disk fills up during a save", save_on_a_full_disk, error=OSError,
         says=("is full", "not saved", "the previous net.pth is untouched", "free some space")),
    Slip("a full disk keeps the previous checkpoint",
         lambda: previous_file_survives(OSError(errno.ENOSPC, "No space left on device")),
         result=lambda intact: intact is True),
    # 3. replacing a checkpoint is said; the default name is no lesson's
    Slip("re-run a save cell", save_twice,
         result=lambda out: out[0] == "" and "replaced the earlier checkpoint" in out[1]
         and "checkpoints/net.pth" in out[1] and out[2]),
    Slip("the default checkpoint names are no lesson's file names", default_names_are_no_lessons,
         result=lambda names: "cifar_net.pth" in names[1] and not names[0] & names[1]),
    Slip("save and load without a name", save_and_load_without_a_name, result=lambda ok: ok is True),
    # 4. one clear line for each unclear slip
    Slip("load a DDP checkpoint (keys start with module.)", load_a_ddp_checkpoint, warns=UserWarning,
         says=("'module.'", "DistributedDataParallel", "model.module.state_dict()", "save_checkpoint(model)"),
         result=lambda loaded: loaded is True),
    Slip("load a DDP checkpoint of another architecture", load_a_ddp_checkpoint_of_another_architecture,
         error=ValueError, says=("does not fit", "'module.'", "DistributedDataParallel", "another architecture",
                                 "Your model is unchanged")),
    Slip("save a DataParallel model", save_a_data_parallel_model,
         result=lambda keys: keys == set(CifarNet().state_dict())),
    Slip('map_location="gpu"', lambda: load_with_map_location("gpu"), error=ValueError,
         says=("map_location must be a device like", '"cpu", "cuda", "cuda:0" or "mps"', "got 'gpu'",
               'map_location="cuda"')),
    Slip('map_location="cuda" on a machine without CUDA', lambda: load_with_map_location("cuda", cuda=False),
         error=ValueError, says=("map_location='cuda'", "does not have", 'map_location="cpu"')),
    Slip("map_location=0 (a number)", lambda: load_with_map_location(0.5), error=TypeError,
         says=("map_location must be a device like", "float 0.5")),
    Slip("an unwritable COURSE_DATA_DIR", unwritable_course_data_dir, error=PermissionError,
         says=("cannot create its data folder", "shared/course/, which COURSE_DATA_DIR names", "permission denied",
              "%env COURSE_DATA_DIR=", "unset it")),
    Slip("an unwritable default data folder", unwritable_default_data_folder, error=PermissionError,
         says=("cannot create its data folder", "permission denied", "set COURSE_DATA_DIR",
               "%env COURSE_DATA_DIR=")),
    Slip("save where the learner may not write", save_where_the_learner_may_not_write, error=PermissionError,
         says=("cannot save the checkpoint in", "checkpoints", "permission denied", "COURSE_DATA_DIR",
               "save_checkpoint(model, Path.home() / 'net.pth')")),
    Slip("a corrupt course.mo", lambda: corrupt_catalog(b"not a catalog"), warns=i18n.CatalogWarning,
         says=("helpers/locale/zh_CN/LC_MESSAGES/course.mo is broken", "Bad magic number",
               "speak English for now", "make translations", 'helpers.set_language("zh")'),
         result=lambda spoken: spoken == "en|well done!"),
    Slip("an empty course.mo", lambda: corrupt_catalog(b""), warns=i18n.CatalogWarning,
         says=("is broken", "make translations"), result=lambda spoken: spoken == "en|well done!"),
]


globals().update(slip_tests(SLIPS))


def test_a_corrupt_catalog_is_not_a_mistake_the_warning_can_hide():
    """The catalog warning is a UserWarning (shown in a notebook) and does not leave a half-set language."""
    assert issubclass(i18n.CatalogWarning, UserWarning)
    real = (ROOT / "helpers" / "locale" / "zh_CN" / "LC_MESSAGES" / "course.mo").read_bytes()
    for content in (b"", b"\xde\x12\x04\x95", real[:10], real[: len(real) // 2]):
        with pytest.warns(i18n.CatalogWarning):
            assert corrupt_catalog(content) == "en|well done!"
    i18n.set_language("en")


# ---------------------------------------------------------------- every helper that writes a file: the property

# name -> writes ``path`` through the helper (called once to see how many bytes a complete write takes)
WRITERS: dict[str, Callable[[Path], object]] = {
    "save_checkpoint": lambda path: save_checkpoint(trained(CifarNet(), seed=1), path),
    "write_atomically": lambda path: write_atomically(path, lambda handle: handle.write(bytes(range(256)) * 40)),
}
FAILURES = {
    "an interrupted kernel": KeyboardInterrupt(),
    "a full disk": OSError(errno.ENOSPC, "No space left on device"),
    "an error": RuntimeError("the write failed"),
}
PREVIOUS = b"the learner's previous file: it must come through every failed write\n" * 50


def complete_size(writer: Callable[[Path], object]) -> int:
    with data_folder() as folder:
        writer(folder / "probe.pth")
        return (folder / "probe.pth").stat().st_size


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("previous", [PREVIOUS, None], ids=["over a file", "new file"])
def test_a_write_that_fails_after_any_number_of_bytes_leaves_the_previous_file(writer, failure, previous):
    """For failures after 0, 1, ... bytes up to one byte short of the whole file: the old file comes through
    byte for byte (or, for a new file, there is none), and no temporary file is left behind."""
    size = complete_size(WRITERS[writer])
    budgets = sorted({0, 1, 64, 511, 512, 4096, size // 3, size // 2, size - 64, size - 1})
    assert size > 4096 and all(0 <= b < size for b in budgets)
    for budget in budgets:
        with data_folder() as folder:
            path = folder / "work.pth"
            if previous is not None:
                path.write_bytes(previous)
            with writes_fail_after(budget, FAILURES[failure]), pytest.raises(type(FAILURES[failure])):
                WRITERS[writer](path)
            left = sorted(p.name for p in folder.iterdir())
            if previous is None:
                assert left == [], f"{writer} failing after {budget} bytes left {left}"
            else:
                assert left == ["work.pth"], f"{writer} failing after {budget} bytes left {left}"
                assert path.read_bytes() == previous, f"{writer} failing after {budget} bytes changed the file"


@pytest.mark.parametrize("writer", WRITERS)
def test_the_fault_injection_really_cuts_the_write(writer):
    """The check above can fail: the same failing handle, given the path itself (no temporary file), truncates it."""
    with data_folder() as folder:
        path = folder / "work.pth"
        path.write_bytes(PREVIOUS)
        with writes_fail_after(100, RuntimeError("cut")), pytest.raises(RuntimeError, match="cut"):
            with helpers.checkpoint.open(path, "wb") as handle:
                handle.write(b"x" * 1000)
        assert path.read_bytes() == b"x" * 100
        WRITERS[writer](path)  # and a write that does not fail replaces it
        assert path.read_bytes() != PREVIOUS and path.stat().st_size > 1000


# Calls that write a file, by the name they are called with (an attribute, or a function of a module).
WRITE_CALLS = {"torch.save", "np.save", "numpy.save", "np.savez", "json.dump", "pickle.dump", "os.replace",
               "os.rename", "shutil.copy", "shutil.copyfile", "shutil.copy2", "shutil.move", "urlretrieve",
               "download_url", "download_and_extract_archive"}
WRITE_METHODS = {"savefig", "write_text", "write_bytes", "to_csv", "imsave"}
MODULES_WITH_OPEN = {"io", "os", "builtins", "codecs", "gzip", "bz2", "lzma", "tarfile", "zipfile"}
# functions that write only for a helper in WRITERS (the property test covers them through it)
WRITES_FOR = {"helpers/checkpoint.py:_torch_save": "save_checkpoint"}
# writers that do not touch a learner's file, and why
NOT_A_LEARNERS_FILE = {
    "helpers/widgets/live.py:png_output": "savefig into an in-memory buffer (io.BytesIO), never a file",
    "helpers/data.py:load_cifar10": "torchvision downloads and checks (MD5) its own archive; no file of the learner's",
    "helpers/check.py:dump": "torch.save into an in-memory buffer (io.BytesIO): an observation's bytes, never a file",
}


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _writes(node: ast.Call) -> bool:
    name = _call_name(node)
    if name in WRITE_CALLS or name.split(".")[-1] in WRITE_METHODS | {"urlretrieve", "download_url"}:
        return True
    if name.split(".")[-1] == "open":
        method = isinstance(node.func, ast.Attribute) and name.split(".")[0] not in MODULES_WITH_OPEN
        position = 0 if method else 1  # path.open("w") / open(path, "w")
        mode = (node.args[position] if len(node.args) > position
                else next((k.value for k in node.keywords if k.arg == "mode"), None))
        return isinstance(mode, ast.Constant) and any(flag in str(mode.value) for flag in "wax+")
    return any(k.arg == "download" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
               for k in node.keywords)


def file_writers(root: Path = ROOT / "helpers") -> set[str]:
    """``path:function`` for every function in ``root`` that calls something that writes a file."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(isinstance(n, ast.Call) and _writes(n) for n in ast.walk(function)):
                    found.add(f"{path.relative_to(ROOT).as_posix()}:{function.name}")
    return found


def test_every_helper_that_writes_a_file_is_in_the_property_test():
    """A new helper that writes a file must go through write_atomically and get a row in WRITERS."""
    covered = {f"helpers/checkpoint.py:{name}" for name in WRITERS}
    assert set(WRITES_FOR.values()) <= set(WRITERS)
    unknown = file_writers() - covered - set(NOT_A_LEARNERS_FILE) - set(WRITES_FOR)
    assert not unknown, f"these helpers write files: add each to WRITERS (through write_atomically): {unknown}"
    writing = {f"helpers/checkpoint.py:{name}" for name in WRITES_FOR.values()} | file_writers()
    assert covered <= writing, "a row of WRITERS no longer writes a file: remove it"


def test_the_scan_finds_a_writer(tmp_path):
    """The scan above can fail: it sees the ways a helper writes a file."""
    (tmp_path / "m.py").write_text(
        "def a(p):\n    open(p, 'w').write('x')\n"
        "def b(p):\n    torch.save({}, p)\n"
        "def c(p, fig):\n    fig.savefig(p)\n"
        "def d(p):\n    p.open('a')\n"
        "def e(p):\n    p.write_text('x')\n"
        "def f(p):\n    open(p).read()\n"
        "def g(p):\n    CIFAR10(p, download=True)\n",
        encoding="utf-8",
    )
    with mock.patch(f"{__name__}.ROOT", tmp_path):
        assert {name.split(":")[1] for name in file_writers(tmp_path)} == set("abcdeg")
