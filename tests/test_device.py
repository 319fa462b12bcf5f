import pytest
import torch

import helpers
from helpers import device as device_module
from helpers.device import DEVICE_ENV


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(DEVICE_ENV, raising=False)


@pytest.fixture
def fake_hardware(monkeypatch):
    """Pretend which accelerators exist, without needing them."""
    state = {"cuda": False, "mps": False}
    monkeypatch.setattr(device_module, "_available", lambda kind: True if kind == "cpu" else state[kind])
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2 if state["cuda"] else 0)
    return state


@pytest.mark.parametrize("cuda, mps, expected", [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")])
def test_order_is_cuda_then_mps_then_cpu(no_env, fake_hardware, cuda, mps, expected):
    fake_hardware.update(cuda=cuda, mps=mps)
    assert helpers.pick_device() == torch.device(expected)


def test_real_machine_gives_a_usable_device(no_env):
    device = helpers.pick_device()
    assert torch.ones(1, device=device).device.type == device.type


def test_argument_overrides(no_env, fake_hardware):
    fake_hardware.update(cuda=True)
    assert helpers.pick_device("cpu") == torch.device("cpu")
    assert helpers.pick_device(" CUDA:1 ") == torch.device("cuda:1")
    assert helpers.pick_device(torch.device("cpu")) == torch.device("cpu")


def test_environment_variable_overrides(monkeypatch, fake_hardware):
    fake_hardware.update(cuda=True)
    monkeypatch.setenv(DEVICE_ENV, "cpu")
    assert helpers.pick_device() == torch.device("cpu")
    assert helpers.pick_device("cuda") == torch.device("cuda"), "the argument wins over the variable"


def test_unknown_device_names_the_argument(no_env):
    with pytest.raises(ValueError, match=r"prefer must be one of 'cuda', 'cuda:N', 'mps' or 'cpu', got 'gpu'"):
        helpers.pick_device("gpu")
    with pytest.raises(ValueError, match="got 'meta'"):
        helpers.pick_device("meta")


def test_unknown_device_from_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV, "tpu")
    with pytest.raises(ValueError, match=f"{DEVICE_ENV} must be one of"):
        helpers.pick_device()


def test_missing_accelerator_is_a_clear_error(no_env, fake_hardware):
    with pytest.raises(RuntimeError, match=r"asks for 'cuda', but this machine has no usable CUDA device; use 'cpu'"):
        helpers.pick_device("cuda")
    with pytest.raises(RuntimeError, match="no usable MPS device"):
        helpers.pick_device("mps")


def test_cuda_index_out_of_range(no_env, fake_hardware):
    fake_hardware.update(cuda=True)
    with pytest.raises(RuntimeError, match=r"'cuda:5', but only 2 CUDA device\(s\) exist"):
        helpers.pick_device("cuda:5")


@pytest.mark.parametrize("bad", [0, 1.5, ["cpu"]])
def test_wrong_type(no_env, bad):
    with pytest.raises(TypeError, match="prefer must be a str, a torch.device or None"):
        helpers.pick_device(bad)


def test_describe_cpu(monkeypatch):
    assert helpers.describe_device("cpu").startswith("cpu — ")
    monkeypatch.setattr(torch, "get_num_threads", lambda: 4)
    assert helpers.describe_device(torch.device("cpu")) == "cpu — 4 threads (no GPU in use)"
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    assert helpers.describe_device("cpu") == "cpu — 1 thread (no GPU in use)"


def test_describe_bad_input():
    with pytest.raises(TypeError, match="device must be a torch.device or a str like 'cpu' or 'cuda', got int"):
        helpers.describe_device(3)
    with pytest.raises(ValueError, match="describe_device expects a cuda, mps or cpu device, got 'meta'"):
        helpers.describe_device("meta")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_describe_cuda_names_the_gpu():
    text = helpers.describe_device("cuda")
    assert torch.cuda.get_device_name(0) in text and "GiB" in text


def test_as_device():
    from helpers.device import as_device

    assert as_device(" CPU ") == torch.device("cpu")
    assert as_device(torch.device("cuda:1")) == torch.device("cuda:1")
    with pytest.raises(ValueError, match=r"target must name a device such as 'cpu'.*got 'gpu0'"):
        as_device("gpu0", name="target")
    with pytest.raises(TypeError, match="device must be a torch.device or a str like 'cpu' or 'cuda', got list"):
        as_device(["cpu"])


def test_require_available_passes_what_exists_and_names_what_does_not(fake_hardware):
    from helpers.device import require_available

    assert require_available("cpu") == torch.device("cpu")
    assert require_available(torch.device("meta")) == torch.device("meta"), "other kinds are for the caller to judge"
    with pytest.raises(RuntimeError, match=r"device asks for 'cuda', but this machine has no usable CUDA device; "
                                           r"use 'cpu', or helpers.pick_device\(\)"):
        require_available("cuda")
    with pytest.raises(RuntimeError, match=r"target asks for 'mps', .* mps is only on Apple-silicon Macs"):
        require_available("mps", name="target")
    fake_hardware.update(cuda=True, mps=True)
    assert require_available(" CUDA:1 ") == torch.device("cuda:1")
    assert require_available("mps") == torch.device("mps")
    with pytest.raises(RuntimeError, match=r"device asks for 'cuda:2', but only 2 CUDA device\(s\) exist"):
        require_available("cuda:2")


def test_describe_an_absent_accelerator_is_refused(fake_hardware):
    with pytest.raises(RuntimeError, match="no usable CUDA device"):
        helpers.describe_device("cuda")
    with pytest.raises(RuntimeError, match="only on Apple-silicon Macs"):
        helpers.describe_device("mps")
    fake_hardware.update(mps=True)
    assert helpers.describe_device("mps").startswith("mps — ")


@pytest.mark.parametrize("found, expected", [("cuda", "cuda"), ("mps", "mps"), (None, "cpu"), ("xpu", "cpu")])
def test_the_choice_is_torch_accelerators(no_env, monkeypatch, found, expected):
    """pick_device asks torch.accelerator (PyTorch 2.6+), not the old per-backend checks; an accelerator the course
    does not run on (xpu) leaves the CPU."""
    calls = []

    def current_accelerator(check_available=False):
        calls.append(check_available)
        return None if found is None else torch.device(found)

    monkeypatch.setattr(torch.accelerator, "current_accelerator", current_accelerator)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: pytest.fail("the old CUDA check was asked"))
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert helpers.pick_device() == torch.device(expected)
    assert calls and all(calls), "current_accelerator must check that the accelerator is usable"


def test_an_older_pytorch_without_torch_accelerator_uses_the_old_checks(no_env, monkeypatch):
    monkeypatch.delattr(torch.accelerator, "current_accelerator")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert helpers.pick_device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert helpers.pick_device() == torch.device("cpu")
    with pytest.raises(RuntimeError, match="no usable MPS device"):
        helpers.pick_device("mps")
