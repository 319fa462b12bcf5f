"""Collecting notebooks from students' homes and returning feedback there (classroom.collect), on fake homes.

Each test builds a HOMES folder in tmp_path with one folder per student, laid out as the hub does
(``<home>/pytorch-course/notebooks/01_tensors.ipynb`` and ``notebooks/zh/``). The homes are hostile where it matters:
links out of the home, FIFOs, huge files, linked feedback folders. The last test grades what it collected (two solved
notebooks, without the sandbox) and returns the feedback.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import stat
import threading
from pathlib import Path

import nbformat
import pytest

from classroom import collect as collecting
from classroom.notebook import ROOT

EN = "pytorch-course/notebooks/01_tensors.ipynb"
ZH = "pytorch-course/notebooks/zh/01_tensors.ipynb"
FEEDBACK = "pytorch-course/feedback/lesson-01.md"


def _home(homes: Path, student: str, en: str | None = None, zh: str | None = None) -> Path:
    """A student's home with the course folder, and the given text as each edition's notebook (None: absent)."""
    home = homes / student
    (home / "pytorch-course" / "notebooks" / "zh").mkdir(parents=True)
    for relative, text in ((EN, en), (ZH, zh)):
        if text is not None:
            (home / relative).write_text(text)
    return home


def _manifest(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "collected.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def _files(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in folder.iterdir() if path.suffix == ".ipynb"}


def test_collect_takes_each_students_notebook_and_names_it_after_the_student(tmp_path, capsys):
    homes, out = tmp_path / "homes", tmp_path / "out"
    _home(homes, "alice", en="alice en")
    _home(homes, "bob", zh="bob zh")
    carol = _home(homes, "carol", en="carol en", zh="carol zh")
    os.utime(carol / EN, (1_000_000_000, 1_000_000_000))  # the English edition is older
    _home(homes, "dave")
    (homes / "Not A User").mkdir()  # not a Unix user name: not a home
    _home(homes, "link_home", en="never")
    (homes / "eve").symlink_to(homes / "link_home")  # a home must be a real folder
    rows = collecting.collect("01", homes, out)
    assert [row["student"] for row in rows] == ["alice", "bob", "carol", "dave", "link_home"]
    assert _files(out) == {"alice.ipynb": "alice en", "bob.ipynb": "bob zh", "carol.ipynb": "carol zh",
                           "link_home.ipynb": "never"}
    manifest = _manifest(out)
    assert list(manifest["alice"].values())[:3] == ["alice", "en", EN] and manifest["alice"]["note"] == ""
    assert manifest["bob"]["edition"] == "zh" and manifest["bob"]["source"] == ZH
    assert manifest["carol"]["edition"] == "zh" and manifest["carol"]["note"] == "both editions: took zh (newer)"
    assert manifest["dave"]["edition"] == "-" and manifest["dave"]["note"] == "missing"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", manifest["alice"]["modified"])
    printed = capsys.readouterr().out.splitlines()
    assert printed[:2] == ["carol: both editions: took zh (newer)", "dave: missing"]
    assert printed[-1].startswith("Collected lesson 01 from 4 of 5 students")
    # only the listed students; a listed student without a home gets a row
    rows = collecting.collect("01", homes, tmp_path / "some", students=["bob", "zed"])
    assert [(row["student"], row["note"]) for row in rows] == [("bob", ""), ("zed", f"no home in {homes}")]


def test_links_out_of_the_home_are_not_followed(tmp_path):
    homes, out = tmp_path / "homes", tmp_path / "out"
    alice = _home(homes, "alice", en="alice's own work")
    secret = tmp_path / "secret.ipynb"
    secret.write_text("the teacher's secret")
    (_home(homes, "eve") / EN).symlink_to(alice / EN)  # another student's notebook
    (_home(homes, "frank") / ZH).symlink_to(secret)  # a file outside every home
    grace = _home(homes, "grace")
    (grace / "pytorch-course" / "notebooks").rename(grace / "elsewhere")
    (grace / "pytorch-course" / "notebooks").symlink_to(alice / "pytorch-course" / "notebooks")  # a linked folder
    henry = _home(homes, "henry")
    (henry / "work.ipynb").write_text("henry's work")
    (henry / EN).symlink_to(henry / "work.ipynb")  # a link inside the home is followed
    rows = {row["student"]: row for row in collecting.collect("01", homes, out)}
    assert _files(out) == {"alice.ipynb": "alice's own work", "henry.ipynb": "henry's work"}
    assert rows["eve"]["note"] == "link out of the home" and rows["eve"]["source"] == EN
    assert rows["frank"]["note"] == "link out of the home" and rows["frank"]["edition"] == "zh"
    assert rows["grace"]["note"] == "link out of the home" and rows["grace"]["edition"] == "en"
    assert "secret" not in (out / "collected.csv").read_text()  # a link's target is never named


def test_a_fifo_is_refused_without_blocking_and_a_huge_file_is_refused(tmp_path, monkeypatch):
    homes, out = tmp_path / "homes", tmp_path / "out"
    os.mkfifo(_home(homes, "fifo") / EN)
    os.mkfifo(_home(homes, "mixed", zh="mixed zh") / EN)
    _home(homes, "huge", en="x" * 11)
    _home(homes, "small", en="y" * 10)
    monkeypatch.setattr(collecting, "MAX_FILE_BYTES", 10)
    rows: list = []
    worker = threading.Thread(target=lambda: rows.extend(collecting.collect("01", homes, out)), daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "collect blocked on a FIFO"
    notes = {row["student"]: row["note"] for row in rows}
    assert notes == {"fifo": "not a regular file", "huge": "too large", "mixed": "en: not a regular file",
                     "small": ""}
    assert _files(out) == {"mixed.ipynb": "mixed zh", "small.ipynb": "y" * 10}


def test_out_must_lie_outside_the_homes(tmp_path, capsys):
    homes = tmp_path / "homes"
    _home(homes, "alice", en="a")
    for out in (homes / "alice" / "collected", homes, tmp_path):
        with pytest.raises(collecting.UsageError, match="outside the homes"):
            collecting.collect("01", homes, out)
    assert not (homes / "alice" / "collected").exists()
    with pytest.raises(SystemExit) as stopped:
        collecting.main(["collect", "--lesson", "01", "--homes", str(homes), "--out", str(homes / "x")])
    assert stopped.value.code == 2 and "outside the homes" in capsys.readouterr().err
    with pytest.raises(collecting.UsageError, match="two-digit lesson"):
        collecting.collect("99", homes, tmp_path / "out")


def test_a_rerun_replaces_the_copies(tmp_path):
    homes, out = tmp_path / "homes", tmp_path / "out"
    alice = _home(homes, "alice", en="first")
    bob = _home(homes, "bob", en="bob")
    collecting.main(["collect", "--lesson", "01", "--homes", str(homes), "--out", str(out)])
    (alice / EN).write_text("second")
    (bob / EN).unlink()
    collecting.main(["collect", "--lesson", "01", "--homes", str(homes), "--out", str(out)])
    assert _files(out) == {"alice.ipynb": "second"}  # bob's old copy would be graded: it is gone
    assert _manifest(out)["bob"]["note"] == "missing"
    assert sorted(p.name for p in out.iterdir()) == ["alice.ipynb", "collected.csv"]


def _feedback(folder: Path, **texts: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for student, text in texts.items():
        (folder / f"{student}.md").write_text(text)
    return folder


def test_return_writes_each_feedback_into_its_home_and_refuses_links(tmp_path, capsys, monkeypatch):
    homes, outside = tmp_path / "homes", tmp_path / "outside"
    outside.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    alice = _home(homes, "alice", en="alice's notebook")
    bob = _home(homes, "bob")
    (bob / "pytorch-course" / "feedback").symlink_to(outside)
    carol = _home(homes, "carol")
    (carol / "pytorch-course" / "feedback").mkdir()
    (carol / FEEDBACK).symlink_to(victim)
    dave = homes / "dave"
    dave.mkdir()  # no pytorch-course folder
    feedback = _feedback(tmp_path / "grades", alice="alice 1", bob="bob", carol="carol", dave="dave", zoe="zoe")
    results = collecting.return_feedback("01", homes, feedback)
    assert results["alice"] is None
    assert (alice / FEEDBACK).read_text() == "alice 1"
    assert stat.S_IMODE((alice / FEEDBACK).stat().st_mode) == 0o644
    assert stat.S_IMODE((alice / "pytorch-course" / "feedback").stat().st_mode) == 0o755
    assert os.listdir(alice / "pytorch-course" / "feedback") == ["lesson-01.md"]  # no temporary file left
    assert (alice / EN).read_text() == "alice's notebook"
    assert "not a real folder" in results["bob"] and list(outside.iterdir()) == []
    assert results["carol"] == "pytorch-course/feedback/lesson-01.md is a link"
    assert victim.read_text() == "untouched" and (carol / FEEDBACK).is_symlink()
    assert "pytorch-course/ is not a real folder" in results["dave"] and os.listdir(dave) == []
    assert results["zoe"] == f"no home in {homes}"
    printed = capsys.readouterr().out
    assert f"zoe: no home in {homes}: feedback not returned" in printed
    assert "Returned lesson 01 feedback to 1 of 5 students" in printed
    # a re-run replaces the earlier file, atomically: a failed write leaves the earlier file whole and no temporary
    _feedback(feedback, alice="alice 2")
    collecting.main(["return", "--lesson", "01", "--homes", str(homes), "--feedback", str(feedback)])
    assert (alice / FEEDBACK).read_text() == "alice 2"

    def no_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_disk)
    _feedback(feedback, alice="alice 3")
    assert collecting.return_feedback("01", homes, feedback)["alice"] == "could not write (No space left on device)"
    assert (alice / FEEDBACK).read_text() == "alice 2"
    assert os.listdir(alice / "pytorch-course" / "feedback") == ["lesson-01.md"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving files to a student needs root")
def test_as_root_the_feedback_belongs_to_the_student(tmp_path):
    homes = tmp_path / "homes"
    home = _home(homes, "alice")
    os.chown(home, 12345, 12346)
    collecting.return_feedback("01", homes, _feedback(tmp_path / "grades", alice="well done"))
    for path in (home / "pytorch-course" / "feedback", home / FEEDBACK):
        assert (path.stat().st_uid, path.stat().st_gid) == (12345, 12346)
    assert (home / "pytorch-course").stat().st_uid == 0  # what the hub made is left as it is


def test_round_trip_collect_grade_return(tmp_path):
    """Collected files are what make grade grades; each feedback file goes back to its author's home."""
    from classroom import grade

    spec = importlib.util.spec_from_file_location("grade_solutions", ROOT / "tools" / "grade_solutions.py")
    tools = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tools)
    homes, out, grades = tmp_path / "homes", tmp_path / "submissions", tmp_path / "grades"
    for student, course in (("ann", ROOT / "notebooks" / "01_tensors.ipynb"),
                            ("ben", ROOT / "notebooks" / "zh" / "01_tensors.ipynb")):
        home = _home(homes, student)
        nbformat.write(tools.solved(course), home / (EN if student == "ann" else ZH))
    collecting.collect("01", homes, out)
    results = grade.grade_folder(out, "01", grades, jobs=2, progress=False, limits=grade.Limits(sandboxed=False))
    assert {(r.file, r.language) for r in results} == {("ann.ipynb", "en"), ("ben.ipynb", "zh")}
    assert all(g.status == "correct" for r in results for g in r.grades.values())
    assert collecting.return_feedback("01", homes, grades / "feedback") == {"ann": None, "ben": None}
    for student in ("ann", "ben"):
        assert (homes / student / FEEDBACK).read_text() == (grades / "feedback" / f"{student}.md").read_text()
    assert re.search("[\u4e00-\u9fff]", (homes / "ben" / FEEDBACK).read_text())
