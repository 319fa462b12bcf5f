from pathlib import Path

import pytest

import helpers
from helpers.config import DATA_DIR_ENV, SMOKE_ENV, SMOKE_FOLDER


@pytest.fixture(autouse=True)
def _not_in_smoke_mode(monkeypatch):
    """make test runs in smoke mode; these tests set it themselves where they need it."""
    monkeypatch.delenv(SMOKE_ENV, raising=False)


def test_repo_root_holds_the_course():
    root = helpers.repo_root()
    assert (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir()


def test_data_dir_defaults_to_repo_data(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert helpers.data_dir(create=False) == helpers.repo_root() / "data"


def test_data_dir_override_is_created(monkeypatch, tmp_path):
    target = tmp_path / "nested" / "course-data"
    monkeypatch.setenv(DATA_DIR_ENV, str(target))
    assert helpers.data_dir() == target
    assert target.is_dir()


def test_data_dir_expands_user(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(DATA_DIR_ENV, "~/stuff")
    assert helpers.data_dir(create=False) == Path(tmp_path) / "stuff"


def test_data_dir_that_is_a_file_is_a_clear_error(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv(DATA_DIR_ENV, str(blocker))
    with pytest.raises(NotADirectoryError, match=f"{DATA_DIR_ENV} must name a folder"):
        helpers.data_dir()
    assert blocker.read_text() == "x", "nothing is lost"


def test_smoke_mode_moves_the_data_folder_into_smoke_run(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert helpers.data_dir(create=False) == tmp_path
    monkeypatch.setenv(SMOKE_ENV, "1")  # as `%env COURSE_SMOKE=1` does in a running kernel
    assert helpers.data_dir() == tmp_path / SMOKE_FOLDER
    assert (tmp_path / SMOKE_FOLDER).is_dir()
    monkeypatch.delenv(DATA_DIR_ENV)
    assert helpers.data_dir(create=False) == helpers.repo_root() / "data" / SMOKE_FOLDER


def test_a_smoke_run_never_overwrites_a_real_checkpoint(monkeypatch, tmp_path):
    import torch

    from helpers.checkpoint import load_checkpoint, save_checkpoint
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    real = torch.nn.Linear(2, 1)
    real_path = save_checkpoint(real, "cifar_net.pth")
    monkeypatch.setenv(SMOKE_ENV, "1")
    smoke_path = save_checkpoint(torch.nn.Linear(2, 1), "cifar_net.pth")
    assert smoke_path.parent.parent == tmp_path / SMOKE_FOLDER and real_path.parent.parent == tmp_path
    monkeypatch.delenv(SMOKE_ENV)
    loaded = load_checkpoint(torch.nn.Linear(2, 1), "cifar_net.pth")
    assert all(torch.equal(a, b) for a, b in zip(loaded.parameters(), real.parameters()))


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), (" YES ", True), ("on", True),
                                             ("0", False), ("", False), ("false", False), ("off", False)])
def test_smoke_mode_values(monkeypatch, value, expected):
    monkeypatch.setenv(SMOKE_ENV, value)
    assert helpers.smoke_mode() is expected


def test_smoke_mode_unset_is_off(monkeypatch):
    monkeypatch.delenv(SMOKE_ENV, raising=False)
    assert helpers.smoke_mode() is False


def test_smoke_mode_bad_value_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(SMOKE_ENV, "maybe")
    with pytest.raises(ValueError, match=r"COURSE_SMOKE must be 1/true.*got 'maybe'"):
        helpers.smoke_mode()


def test_announce_smoke_prints_only_in_smoke_mode(monkeypatch, capsys):
    monkeypatch.setenv(SMOKE_ENV, "1")
    assert helpers.announce_smoke("3 epochs instead of 20") is True
    out = capsys.readouterr().out
    assert "SMOKE MODE" in out and "3 epochs instead of 20" in out and "not real results" in out
    monkeypatch.setenv(SMOKE_ENV, "0")
    assert helpers.announce_smoke("3 epochs instead of 20") is False
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("bad", ["", "   ", None, 3])
def test_announce_smoke_needs_a_description(bad):
    with pytest.raises(ValueError, match="announce_smoke expects a non-empty description"):
        helpers.announce_smoke(bad)


def test_display_path_hides_the_machine_it_runs_on(monkeypatch, tmp_path):
    from helpers.config import display_path, repo_root

    assert display_path(repo_root() / "data") == "data"
    assert display_path(repo_root() / "data" / "smoke-run") == "data/smoke-run"
    assert display_path(repo_root()) == "."
    monkeypatch.setenv("HOME", str(tmp_path))
    assert display_path(tmp_path / "big" / "course") == "~/big/course"
    assert display_path("/opt/course-data") == "/opt/course-data"


@pytest.mark.parametrize("bad", [None, 3, b"/tmp"])
def test_display_path_explains_a_wrong_argument(bad):
    from helpers.config import display_path

    with pytest.raises(TypeError, match="display_path expects a path"):
        display_path(bad)


def test_a_data_folder_that_cannot_be_created_is_a_clear_error(monkeypatch, tmp_path):
    """A real read-only folder (as a learner who is not root meets it); root may write anywhere, so it is skipped."""
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("this user may write into a read-only folder (root); test_slips_files.py simulates it")
        monkeypatch.setenv(DATA_DIR_ENV, str(locked / "course"))
        with pytest.raises(PermissionError, match=f"cannot create its data folder .*which {DATA_DIR_ENV} names"):
            helpers.data_dir()
        assert helpers.data_dir(create=False) == locked / "course", "asking where it is needs no writing"
    finally:
        locked.chmod(0o755)


def test_other_errors_creating_the_data_folder_are_not_dressed_up(monkeypatch, tmp_path):
    """Only permission problems get the permission message: a path through a file stays NotADirectoryError."""
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "a-file" / "inside"))
    with pytest.raises(NotADirectoryError):
        helpers.data_dir()
