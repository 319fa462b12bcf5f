"""helpers.data: the real download's offline error, the smoke-mode stand-in, the fast tensor pipeline."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest
import torch

from helpers import data
from helpers.data import (
    CLASSES,
    CIFAR10DownloadError,
    CifarTensors,
    GeneratedCIFAR10,
    fast_loader,
    generate_cifar_like,
    load_cifar10,
    tutorial_transform,
)


@pytest.fixture
def tmp_data(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def real_mode(tmp_data, monkeypatch):
    monkeypatch.setenv("COURSE_SMOKE", "0")
    return tmp_data


@pytest.fixture
def smoke(tmp_data, monkeypatch):
    monkeypatch.setenv("COURSE_SMOKE", "1")
    return tmp_data


# ---- the stand-in ----


def test_generated_images_have_cifar_format():
    images, labels = generate_cifar_like(300, seed=3)
    assert images.shape == (300, 32, 32, 3) and images.dtype == np.uint8
    assert labels.shape == (300,) and labels.dtype == np.int64
    assert set(labels.tolist()) == set(range(10))
    again, _ = generate_cifar_like(300, seed=3)
    assert np.array_equal(images, again), "the same seed gives the same images"


def test_stand_in_has_torchvision_interface_and_says_what_it_is(smoke):
    ds = GeneratedCIFAR10(train=True, size=50, transform=tutorial_transform())
    assert len(ds) == 50 and len(ds.classes) == 10
    assert ds.data.shape == (50, 32, 32, 3) and ds.data.dtype == np.uint8
    image, label = ds[0]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32
    assert -1.0 <= image.min() and image.max() <= 1.0
    assert isinstance(label, int) and 0 <= label <= 9
    assert "generated stand-in" in repr(ds) and "NOT the real CIFAR10" in repr(ds)
    pil, _ = GeneratedCIFAR10(train=False, size=5)[1]
    assert pil.size == (32, 32) and pil.mode == "RGB"


def test_smoke_mode_loads_the_stand_in_announced_and_writes_nothing(smoke, capsys):
    train = load_cifar10(train=True, transform=tutorial_transform())
    test = load_cifar10(train=False)
    assert isinstance(train, GeneratedCIFAR10) and isinstance(test, GeneratedCIFAR10)
    assert len(train) == data.SMOKE_TRAIN_SIZE and len(test) == data.SMOKE_TEST_SIZE
    out = capsys.readouterr().out
    assert out.count("SMOKE MODE") == 2 and "generated stand-in" in out
    assert not any(smoke.rglob("*")), "the stand-in must never be written next to the real files"


def test_train_and_test_stand_ins_differ():
    assert not np.array_equal(GeneratedCIFAR10(True, size=20).data, GeneratedCIFAR10(False, size=20).data)


# ---- the real download, offline ----


def _unreachable_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: connecting is refused at once


def test_outside_smoke_mode_no_stand_in_is_used_and_the_error_says_what_to_do(real_mode, monkeypatch, capsys):
    from torchvision.datasets import CIFAR10

    monkeypatch.setattr(CIFAR10, "url", f"http://127.0.0.1:{_unreachable_port()}/cifar-10-python.tar.gz")
    start = time.perf_counter()
    with pytest.raises(CIFAR10DownloadError) as error:
        load_cifar10(train=True, timeout=2)
    assert time.perf_counter() - start < 10
    message = str(error.value)
    assert "Could not download CIFAR10" in message
    assert str(real_mode / "cifar10" / "cifar-10-python.tar.gz") in message
    assert "COURSE_SMOKE=1" in message and "c58f30108f718f92721af3b95e74349a" in message
    assert "SMOKE MODE" not in capsys.readouterr().out


def test_the_advice_names_the_one_smoke_mode_route(real_mode, monkeypatch):
    """The course's one route: a `%env` cell at the very top, restart and run all; smoke output goes to smoke-run/."""
    from torchvision.datasets import CIFAR10

    monkeypatch.setattr(CIFAR10, "url", f"http://127.0.0.1:{_unreachable_port()}/cifar-10-python.tar.gz")
    with pytest.raises(CIFAR10DownloadError) as error:
        load_cifar10(train=False, timeout=2)
    message = " ".join(str(error.value).split())
    assert "%env COURSE_SMOKE=1 in a new cell at the very top of the notebook" in message
    assert "Restart Kernel and Run All Cells" in message and "delete that cell and restart the kernel" in message
    assert f"{real_mode.as_posix()}/smoke-run/" in message, "the folder where smoke output goes"
    assert "COURSE_SMOKE=0" not in message and "no restart" not in message, "no second, contradicting route"


def test_in_a_notebook_the_error_shows_the_advice_without_a_traceback(real_mode, monkeypatch, capsys):
    """IPython prints what _render_traceback_ returns: no source lines of helpers/data.py before the advice."""
    from IPython.core.interactiveshell import InteractiveShell
    from torchvision.datasets import CIFAR10

    monkeypatch.setattr(CIFAR10, "url", f"http://127.0.0.1:{_unreachable_port()}/cifar-10-python.tar.gz")
    shell = InteractiveShell.instance()
    try:
        capsys.readouterr()
        result = shell.run_cell("from helpers.data import load_cifar10\nload_cifar10(train=False, timeout=2)")
        shown = capsys.readouterr().out
    finally:
        InteractiveShell.clear_instance()
    assert isinstance(result.error_in_exec, CIFAR10DownloadError)
    lines = shown.strip().splitlines()
    assert lines[0].startswith("CIFAR10DownloadError: Could not download CIFAR10"), shown
    assert "What to do:" in shown and "%env COURSE_SMOKE=1" in shown
    assert "Traceback" not in shown and "data.py" not in shown and "raise " not in shown, shown
    assert shown.count("MD5 does not match") == 0, "the unrelated message of another branch must not show"


def test_the_error_renders_as_its_message_alone():
    error = CIFAR10DownloadError("Could not download CIFAR10.\nWhat to do: ...")
    assert error._render_traceback_() == ["CIFAR10DownloadError: Could not download CIFAR10.\nWhat to do: ..."]


def test_a_stalled_server_gives_an_error_within_seconds_not_a_hang(real_mode, monkeypatch):
    from torchvision.datasets import CIFAR10

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)  # accepts connections into the backlog but never answers
    try:
        port = server.getsockname()[1]
        monkeypatch.setattr(CIFAR10, "url", f"http://127.0.0.1:{port}/cifar-10-python.tar.gz")
        start = time.perf_counter()
        with pytest.raises(CIFAR10DownloadError, match="Could not download"):
            load_cifar10(train=False, timeout=1)
        assert time.perf_counter() - start < 8
    finally:
        server.close()
    assert socket.getdefaulttimeout() is None, "the socket timeout must be restored"


def test_a_corrupt_archive_is_reported(real_mode, monkeypatch):
    from torchvision.datasets import CIFAR10

    monkeypatch.setattr(CIFAR10, "url", f"http://127.0.0.1:{_unreachable_port()}/cifar-10-python.tar.gz")
    folder = real_mode / "cifar10"
    folder.mkdir()
    (folder / "cifar-10-python.tar.gz").write_bytes(b"not the archive")
    with pytest.raises(CIFAR10DownloadError, match="MD5 does not match"):
        load_cifar10(timeout=2)


def test_download_false_with_missing_data_says_so(real_mode):
    with pytest.raises(CIFAR10DownloadError, match="download=False"):
        load_cifar10(download=False)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"train": "yes"}, TypeError, "train must be True or False"),
        ({"download": 1}, TypeError, "download must be True or False"),
        ({"transform": 3}, TypeError, "transform must be callable"),
        ({"timeout": 0}, ValueError, "timeout must be a positive number"),
    ],
)
def test_load_cifar10_rejects_bad_arguments(kwargs, error, match, smoke):
    with pytest.raises(error, match=match):
        load_cifar10(**kwargs)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: generate_cifar_like(0), ValueError, "n must be a positive int"),
        (lambda: generate_cifar_like(5, seed=-1), ValueError, "seed must be a non-negative int"),
        (lambda: GeneratedCIFAR10(size=0), ValueError, "size must be a positive int"),
        (lambda: GeneratedCIFAR10(train=None), TypeError, "train must be True or False"),
        (lambda: GeneratedCIFAR10(size=3, transform="x"), TypeError, "transform must be callable"),
    ],
)
def test_stand_in_rejects_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("transform", [
    "ToTensor",  # transforms.ToTensor without ()
    "Compose",  # transforms.Compose([transforms.ToTensor, transforms.Normalize(...)]): the class inside
    "RandomApply",  # a class nested one level deeper
])
@pytest.mark.parametrize("mode", ["smoke", "real_mode"])
def test_a_transform_class_instead_of_an_instance_is_refused_before_anything_runs(transform, mode, request):
    """The class is callable, so it used to pass, and failed only at the first image, deep inside a DataLoader."""
    from torchvision import transforms

    folder = request.getfixturevalue(mode)
    given = {
        "ToTensor": transforms.ToTensor,
        "Compose": transforms.Compose([transforms.ToTensor, transforms.Normalize(data.MEAN, data.STD)]),
        "RandomApply": transforms.Compose([transforms.RandomApply([transforms.RandomHorizontalFlip], p=0.5)]),
    }[transform]
    name = "RandomHorizontalFlip" if transform == "RandomApply" else "ToTensor"
    with pytest.raises(TypeError, match=rf"got the class {name} itself.*transforms\.{name}\(\) instead of "):
        load_cifar10(transform=given)
    with pytest.raises(TypeError, match=rf"the class {name} itself"):
        GeneratedCIFAR10(size=3, transform=given)
    assert not (folder / data.FOLDER).exists()  # refused before any download was tried


def test_transform_instances_and_functions_pass(smoke):
    from torchvision import transforms

    dataset = load_cifar10(transform=transforms.Compose([transforms.RandomApply([transforms.RandomHorizontalFlip()]),
                                                         transforms.ToTensor()]))
    assert dataset[0][0].shape == (3, 32, 32)
    assert GeneratedCIFAR10(size=2, transform=lambda image: 7)[0][0] == 7  # a plain function is a transform


def test_classes_and_normalization_are_the_seeds():
    assert CLASSES == ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
    assert data.MEAN == data.STD == (0.5, 0.5, 0.5)
    assert str(data.cifar10_root()).endswith("cifar10")


# ---- the fast pipeline ----


def test_fast_pipeline_gives_the_same_numbers_as_the_tutorial_transform():
    ds = GeneratedCIFAR10(True, size=40, transform=tutorial_transform())
    tensors = CifarTensors.from_dataset(ds)
    assert tensors.images.dtype == torch.uint8 and tensors.images.shape == (40, 3, 32, 32)
    batch, labels = tensors.__getitems__([3, 0, 7])
    expected = torch.stack([ds[i][0] for i in (3, 0, 7)])
    assert torch.allclose(batch, expected, atol=1e-6)
    assert labels.tolist() == [ds.targets[i] for i in (3, 0, 7)]
    image, label = tensors[-1]
    assert torch.allclose(image, ds[39][0], atol=1e-6) and label == ds.targets[39]


def test_fast_loader_batches_any_size_and_seeds_the_shuffle():
    tensors = CifarTensors.from_dataset(GeneratedCIFAR10(True, size=70))
    sizes = [labels.shape[0] for _, labels in fast_loader(tensors, batch_size=32)]
    assert sizes == [32, 32, 6]
    first = [labels for _, labels in fast_loader(tensors, batch_size=32, shuffle=True, seed=1)]
    second = [labels for _, labels in fast_loader(tensors, batch_size=32, shuffle=True, seed=1)]
    assert all(torch.equal(a, b) for a, b in zip(first, second))
    assert sorted(torch.cat(first).tolist()) == sorted(tensors.labels.tolist())


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: CifarTensors(torch.zeros(2, 3, 32, 32), torch.zeros(2, dtype=torch.long)), ValueError, "uint8"),
        (lambda: CifarTensors(torch.zeros(2, 3, 32, 32, dtype=torch.uint8), torch.zeros(3, dtype=torch.long)), ValueError, "same length"),
        (lambda: CifarTensors(torch.zeros(2, 3, 32, 32, dtype=torch.uint8), torch.zeros(2)), ValueError, "int64"),
        (lambda: CifarTensors(torch.zeros(2, 3, 4, 4, dtype=torch.uint8), torch.zeros(2, dtype=torch.long), std=(0, 1, 1)), ValueError, "std"),
        (lambda: CifarTensors.from_dataset([1, 2]), ValueError, "CIFAR10-style dataset"),
        (lambda: fast_loader([1, 2]), TypeError, "CifarTensors"),
        (lambda: fast_loader(CifarTensors.from_dataset(GeneratedCIFAR10(size=4)), batch_size=0), ValueError, "batch_size"),
        (lambda: fast_loader(CifarTensors.from_dataset(GeneratedCIFAR10(size=4)), num_workers=-1), ValueError, "num_workers"),
        (lambda: fast_loader(CifarTensors.from_dataset(GeneratedCIFAR10(size=4)), shuffle="yes"), TypeError, "shuffle"),
        (lambda: CifarTensors.from_dataset(GeneratedCIFAR10(size=4))[1.5], TypeError, "index must be an int"),
    ],
)
def test_fast_pipeline_rejects_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
