"""helpers.checkpoint: state_dict round trip in the data folder, weights_only loading, clear errors."""

from __future__ import annotations

import pytest
import torch

from helpers.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from helpers.models import CifarNet


@pytest.fixture(autouse=True)
def tmp_data(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COURSE_SMOKE", raising=False)  # make test's smoke mode would add smoke-run/ (test_config.py)
    return tmp_path


def test_round_trip_restores_every_weight(tmp_data):
    torch.manual_seed(0)
    model = CifarNet()
    path = save_checkpoint(model, "net.pth")
    assert path == tmp_data / "checkpoints" / "net.pth" and path.is_file()
    fresh = load_checkpoint(CifarNet(), "net.pth")
    for (name, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        assert torch.equal(a, b), name
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(model(x), fresh(x))


def test_the_file_holds_only_a_state_dict_readable_with_weights_only(tmp_data):
    path = save_checkpoint(CifarNet(), "net.pth")
    state = torch.load(path, weights_only=True)
    assert set(state) == set(CifarNet().state_dict())


def test_loading_uses_weights_only(tmp_data, monkeypatch):
    save_checkpoint(CifarNet(), "net.pth")
    calls = []
    real_load = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: calls.append(k) or real_load(*a, **k))
    load_checkpoint(CifarNet(), "net.pth")
    assert calls and calls[0].get("weights_only") is True


class Evil:
    pass


def test_a_pickle_with_arbitrary_objects_is_refused(tmp_data):
    path = tmp_data / "evil.pth"
    torch.save({"x": Evil()}, path)
    with pytest.raises(ValueError, match="weights_only=True"):
        load_checkpoint(CifarNet(), path)


def test_missing_file_says_what_to_do(tmp_data):
    with pytest.raises(FileNotFoundError, match="save_checkpoint"):
        load_checkpoint(CifarNet(), "nothing.pth")


def test_mismatched_architecture_is_explained(tmp_data):
    save_checkpoint(CifarNet(), "narrow.pth")
    with pytest.raises(ValueError, match="does not fit this CifarNet"):
        load_checkpoint(CifarNet(32, 64), "narrow.pth")


def test_a_file_without_a_state_dict_is_refused(tmp_data):
    path = tmp_data / "tensor.pth"
    torch.save(torch.zeros(3), path)
    with pytest.raises(ValueError, match="should hold a state_dict"):
        load_checkpoint(CifarNet(), path)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: save_checkpoint("model"), TypeError, "model must be a torch.nn.Module"),
        (lambda: load_checkpoint({"a": 1}), TypeError, "model must be a torch.nn.Module"),
        (lambda: save_checkpoint(CifarNet(), ""), ValueError, "non-empty file name"),
        (lambda: checkpoint_path(3), ValueError, "non-empty file name"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
