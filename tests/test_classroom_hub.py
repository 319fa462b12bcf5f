"""classroom/hub.py without a hub: the roster, the address check and the configuration it writes (the hub itself runs
in tests/test_hub_system.py, make hub-test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom import hub


def _roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_roster_gives_its_names(tmp_path):
    assert hub.read_roster(_roster(tmp_path, "username,name\nann,Ann\n_bo-2,Bo\n")) == ["ann", "_bo-2"]


@pytest.mark.parametrize("text, words", [
    ("name\nann\n", "'username' column"),
    ("", "'username' column"),
    ("username\nAnn\n", "line 2: 'Ann' is not a valid user name"),
    ("username\nann\nbo;rm\n", "line 3"),
    ("username\nann\nann\n", "'ann' is listed twice"),
])
def test_a_bad_roster_says_what_is_wrong_and_where(tmp_path, text, words):
    with pytest.raises(hub.UsageError, match=words.replace("(", r"\(")):
        hub.read_roster(_roster(tmp_path, text))


def test_the_network_needs_https():
    hub.check_address("127.0.0.1", ssl=False, behind_proxy=False)
    hub.check_address("localhost", ssl=False, behind_proxy=False)
    with pytest.raises(hub.UsageError, match="without HTTPS: passwords would cross it in clear text"):
        hub.check_address("0.0.0.0", ssl=False, behind_proxy=False)
    hub.check_address("0.0.0.0", ssl=True, behind_proxy=False)
    hub.check_address("192.0.2.10", ssl=False, behind_proxy=True)
    with pytest.raises(hub.UsageError, match="must be an IP address"):
        hub.check_address("example.org", ssl=False, behind_proxy=False)


def test_the_configuration_is_python_and_says_what_the_docs_say(tmp_path):
    text = hub.config_text(["ann", "bo"], "teacher", "127.0.0.1", 8000, tmp_path, tmp_path / "student",
                           ssl_cert="/c.pem", ssl_key="/k.pem")
    compile(text, "jupyterhub_config.py", "exec")
    assert "FirstUseAuthenticator.create_users = False" in text and "'ann'" in text and "{'teacher'}" in text
    assert "spawner_class = 'localprocess'" in text and "jupyterhub_idle_culler" in text and "--timeout=3600" in text
    assert "ssl_cert = '/c.pem'" in text and "default_url = '/lab'" in text
    assert "api_token" not in text and "expose_app_in_browser" not in text  # only with COURSE_HUB_API_TOKEN


def test_the_hub_refuses_to_start_where_it_cannot_keep_students_apart(tmp_path, capsys, monkeypatch):
    roster = _roster(tmp_path, "username\nann\n")
    with pytest.raises(SystemExit):
        hub.main(["--roster", str(roster), "--ip", "0.0.0.0"])
    assert "without HTTPS" in capsys.readouterr().err
    monkeypatch.setattr(hub.os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit):
        hub.main(["--roster", str(roster)])
    assert "must run as root" in capsys.readouterr().err


def test_the_student_edition_never_goes_through_a_link_or_over_a_students_file(tmp_path, monkeypatch):
    """prepare_home as root on an account that exists: a student's own file is kept, and a folder the student
    replaced with a link to somewhere else receives nothing."""
    import os
    import pwd
    import types

    if os.geteuid() != 0:
        pytest.skip("prepare_home changes owners: root only")
    edition = tmp_path / "edition"
    (edition / "notebooks" / "zh").mkdir(parents=True)
    for name in ("notebooks/01_tensors.ipynb", "notebooks/zh/01_tensors.ipynb", "README.md"):
        (edition / name).write_text("handed out", encoding="utf-8")
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    (home / "pytorch-course" / "notebooks").mkdir(parents=True)
    elsewhere.mkdir()
    (home / "pytorch-course" / "notebooks" / "01_tensors.ipynb").write_text("my answers", encoding="utf-8")
    (home / "pytorch-course" / "notebooks" / "zh").symlink_to(elsewhere)
    account = types.SimpleNamespace(pw_dir=str(home), pw_uid=12345, pw_gid=12345)
    monkeypatch.setattr(pwd, "getpwnam", lambda name: account)
    hub.prepare_home("ann", str(edition))
    course = home / "pytorch-course"
    assert (course / "notebooks" / "01_tensors.ipynb").read_text(encoding="utf-8") == "my answers"
    assert (course / "README.md").read_text(encoding="utf-8") == "handed out"
    assert list(elsewhere.iterdir()) == [], "nothing is written through the student's link"
    assert home.stat().st_mode & 0o777 == 0o700 and (course / "README.md").stat().st_uid == 12345
