"""helpers.checkpoint: state_dict round trip in the data folder, weights_only loading, clear errors."""

from __future__ import annotations

import pytest
import torch

from helpers.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from helpers.models import CifarNet, SmallResNet


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


# ---------------------------------------------------------------- issue 23: nothing a learner made is lost


def _state(model):
    return {key: value.detach().clone() for key, value in model.state_dict().items()}


def _identical(model, before):
    now = model.state_dict()
    return set(now) == set(before) and all(
        now[k].dtype == before[k].dtype and torch.equal(now[k], before[k]) for k in before)


def _trained(model, seed=0):
    torch.manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_()
        for _ in range(seed + 1):  # BatchNorm statistics move too; num_batches_tracked becomes seed + 1
            model.train()(torch.randn(2, 3, 32, 32))
    return model


@pytest.mark.parametrize(("model", "other"), [
    (lambda: CifarNet(), lambda: CifarNet(6, 64)),          # conv1, fc2, fc3 fit: torch copies them, then refuses
    (lambda: CifarNet(), lambda: CifarNet(num_classes=5)),  # everything but fc3 fits
    (lambda: SmallResNet(8), lambda: SmallResNet(16)),      # BatchNorm counters fit
    (lambda: SmallResNet(8), lambda: SmallResNet(8, num_classes=3)),
])
def test_a_failed_load_leaves_every_parameter_and_buffer_bit_identical(tmp_data, model, other):
    net = _trained(model())
    torch.save(_trained(other(), seed=1).state_dict(), tmp_data / "other.pth")
    before = _state(net)
    with pytest.raises(ValueError, match="does not fit") as raised:
        load_checkpoint(net, tmp_data / "other.pth")
    assert "Your model is unchanged" in str(raised.value)
    assert _identical(net, before)


def test_the_bit_identical_check_can_fail(tmp_data):
    """Without the undo, torch's own load_state_dict leaves a mix: the test above would see it."""
    net = _trained(CifarNet())
    before = _state(net)
    with pytest.raises(RuntimeError):
        net.load_state_dict(_trained(CifarNet(6, 64), seed=1).state_dict())
    assert not _identical(net, before)


def test_an_interrupted_load_puts_the_weights_back(tmp_data, monkeypatch):
    """A KeyboardInterrupt in the middle of copying (after fc1 was copied) leaves the model as it was."""
    net = _trained(CifarNet())
    save_checkpoint(_trained(CifarNet(), seed=1), "net.pth")
    before = _state(net)
    real = torch.nn.Linear._load_from_state_dict
    calls = []

    def interrupted(self, state_dict, prefix, *args, **kwargs):
        real(self, state_dict, prefix, *args, **kwargs)
        calls.append(prefix)
        if prefix == "fc1." and calls.count("fc1.") == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(torch.nn.Linear, "_load_from_state_dict", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_checkpoint(net, "net.pth")
    assert "fc1." in calls and _identical(net, before)


def test_a_wrapped_model_saves_and_loads_the_model_inside(tmp_data):
    net = _trained(CifarNet())
    path = save_checkpoint(torch.nn.DataParallel(net))
    assert path.name == "CifarNet.pth" and set(torch.load(path, weights_only=True)) == set(net.state_dict())
    wrapped = torch.nn.DataParallel(CifarNet())
    load_checkpoint(wrapped, "CifarNet.pth")
    assert _identical(wrapped.module, _state(net))


def test_a_ddp_checkpoint_loads_into_a_wrapped_model_too(tmp_data):
    net = _trained(CifarNet())
    torch.save(torch.nn.DataParallel(net).state_dict(), tmp_data / "ddp.pth")  # keys: module.conv1.weight, ...
    wrapped = torch.nn.DataParallel(CifarNet())
    with pytest.warns(UserWarning, match="module"):
        load_checkpoint(wrapped, tmp_data / "ddp.pth")
    assert _identical(wrapped.module, _state(net))


def test_replacing_a_checkpoint_is_said_in_the_learners_language(tmp_data, capsys):
    import helpers

    save_checkpoint(CifarNet(), "net.pth")
    assert capsys.readouterr().out == ""
    helpers.set_language("zh")
    try:
        save_checkpoint(CifarNet(), "net.pth")
    finally:
        helpers.set_language("en")
    out = capsys.readouterr().out
    assert "已替换之前的检查点" in out and "checkpoints/net.pth" in out


def test_the_default_name_is_the_models_class_and_no_lessons_file():
    from helpers.checkpoint import default_name

    assert default_name(CifarNet()) == "CifarNet.pth" and default_name(SmallResNet(4)) == "SmallResNet.pth"
    assert default_name(torch.nn.DataParallel(CifarNet())) == "CifarNet.pth"
    assert "cifar_net.pth" not in {default_name(CifarNet()), default_name(SmallResNet(4))}


def test_saving_over_a_folder_is_refused_and_keeps_it(tmp_data):
    (tmp_data / "checkpoints" / "net.pth").mkdir(parents=True)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        save_checkpoint(CifarNet(), "net.pth")
    assert (tmp_data / "checkpoints" / "net.pth").is_dir()


@pytest.mark.parametrize("map_location", [None, {"cuda:0": "cpu"}, lambda storage, location: storage,
                                          torch.device("cpu"), "cpu"])
def test_torch_loads_other_map_locations_still_work(tmp_data, map_location):
    net = _trained(CifarNet())
    save_checkpoint(net, "net.pth")
    assert _identical(load_checkpoint(CifarNet(), "net.pth", map_location=map_location), _state(net))


def test_a_gpu_index_this_machine_lacks_is_named(tmp_data, monkeypatch):
    save_checkpoint(CifarNet(), "net.pth")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"map_location='cuda:1' asks for a CUDA GPU.*device_count\(\) is 1\)"):
        load_checkpoint(CifarNet(), "net.pth", map_location="cuda:1")
