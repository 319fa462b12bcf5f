"""Collect a lesson's notebooks from the students' homes on a JupyterHub, and return their feedback there.

    python -m classroom.collect collect --lesson 01 [--homes /home] [--out DIR] [--students a,b,...]
    python -m classroom.collect return --lesson 01 [--homes /home] [--feedback DIR]

The hub's layout: each student is a Unix account whose home is ``HOMES/<student>``; the hub copied the student edition
into ``<home>/pytorch-course/``, so lesson NN's notebook is ``pytorch-course/notebooks/NN_name.ipynb`` (English) or
``pytorch-course/notebooks/zh/NN_name.ipynb`` (Chinese), with the course's own file names.

``collect`` copies each student's notebook to ``OUT/<student>.ipynb`` (default ``build/submissions/lesson-NN/``), the
folder ``make grade SUBMISSIONS=...`` grades, so each feedback file is ``<student>.md``. When both editions exist it
takes the one modified last and says so. It writes ``OUT/collected.csv`` (student, edition, source path in the home,
modified time, note) and prints one line per problem and a total.

``return`` writes each ``<student>.md`` of the grader's feedback folder (default ``build/grades/lesson-NN/feedback/``)
to ``<home>/pytorch-course/feedback/lesson-NN.md``, atomically (a temporary file in the same folder, then a rename).

Both may run as root on files the students control, so neither trusts the homes: a link that leads out of the
student's home is not followed (and never named), every final component is opened with ``O_NOFOLLOW``, a FIFO, a
device or a file over 100 MB is refused unread, and each problem is one line and one row, never the end of the run.
``return`` writes only through real folders opened one by one with ``O_NOFOLLOW``, replaces the target's name (never
writes into an existing file, so no link or hard link can redirect it), and as root gives the folder it creates and
the file to the owner of the home. It writes nothing else in a home and never touches the notebooks.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import secrets
import stat
import sys
from datetime import datetime
from pathlib import Path

from classroom.notebook import BUILD, course_notebook, is_inside

NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")  # a Unix user name: the students' accounts
MAX_FILE_BYTES = 100_000_000  # a bigger notebook is not read (as the grader's limit)
COURSE_FOLDER = "pytorch-course"
MANIFEST = "collected.csv"
COLUMNS = ("student", "edition", "source", "modified", "note")
DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


class UsageError(ValueError):
    """A wrong argument: the message says what was expected and what to pass."""


def _lesson_names(lesson: str) -> dict[str, str]:
    """{edition: the notebook's path relative to a home} for lesson ``lesson``; UsageError for an unknown lesson."""
    try:
        names = {"en": course_notebook(lesson).name, "zh": course_notebook(lesson, chinese=True).name}
    except ValueError as error:
        raise UsageError(str(error)) from None
    return {"en": f"{COURSE_FOLDER}/notebooks/{names['en']}", "zh": f"{COURSE_FOLDER}/notebooks/zh/{names['zh']}"}


def _homes_folder(homes: Path) -> Path:
    homes = Path(homes).expanduser().resolve()
    if not homes.is_dir():
        raise UsageError(f"--homes must be the folder that holds the students' homes (default /home); {homes} is not "
                         f"a folder.")
    return homes


def _home(homes: Path, student: str) -> Path | None:
    """The student's home, a real folder directly in ``homes`` (not a link), or None."""
    home = homes / student
    return home if NAME.fullmatch(student) and home.is_dir() and not home.is_symlink() else None


def _open_in(home: Path, relative: str) -> tuple[int, os.stat_result] | str | None:
    """Open the notebook ``relative`` in ``home`` for reading: (descriptor, its stat), a problem, or None if absent.

    Links inside the home are followed, none out of it: the path is resolved, checked to stay in the home, then
    walked from the home one folder at a time with ``O_NOFOLLOW``, so a link swapped in meanwhile makes it fail
    instead of leading elsewhere. A FIFO or device is refused before it is opened (and again after, by its fstat).
    """
    path = home / relative
    if not os.path.lexists(path):
        return None
    real_home = os.path.realpath(home)
    real = os.path.realpath(path)
    if not is_inside(Path(real), Path(real_home)):
        return "link out of the home"
    parts = Path(os.path.relpath(real, real_home)).parts
    folders = [os.open(real_home, DIRECTORY)]
    try:
        for part in parts[:-1]:
            folders.append(os.open(part, DIRECTORY, dir_fd=folders[-1]))
        if not stat.S_ISREG(os.stat(parts[-1], dir_fd=folders[-1], follow_symlinks=False).st_mode):
            return "not a regular file"
        descriptor = os.open(parts[-1], os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW, dir_fd=folders[-1])
    except OSError as error:
        return f"could not open it ({error.strerror or type(error).__name__})"
    finally:
        for folder in folders:
            os.close(folder)
    info = os.fstat(descriptor)
    if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES:
        return descriptor, info
    os.close(descriptor)
    return "not a regular file" if not stat.S_ISREG(info.st_mode) else "too large"


def _read(descriptor: int) -> bytes | None:
    """At most MAX_FILE_BYTES of the open file (None if it grew past them); closes ``descriptor``."""
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    return data if len(data) <= MAX_FILE_BYTES else None


def collect_student(home: Path, names: dict[str, str], out: Path, student: str) -> dict[str, str]:
    """Copy ``student``'s notebook from ``home`` to ``OUT/<student>.ipynb``; return its manifest row."""
    row = dict(student=student, edition="-", source="", modified="", note="")
    found = {edition: _open_in(home, relative) for edition, relative in names.items()}
    opened = {edition: value for edition, value in found.items() if isinstance(value, tuple)}
    refused = {edition: value for edition, value in found.items() if isinstance(value, str)}
    problems = list(refused.values()) if len(refused) == 1 and not opened else \
        [f"{edition}: {value}" for edition, value in refused.items()]
    target = out / f"{student}.ipynb"
    if not opened:
        target.unlink(missing_ok=True)  # a copy from an earlier run no longer stands
        if len(refused) == 1:
            edition = next(iter(refused))
            row.update(edition=edition, source=names[edition])
        row["note"] = "; ".join(problems) or "missing"
        return row
    edition = max(opened, key=lambda e: opened[e][1].st_mtime_ns)
    notes = [f"both editions: took {edition} (newer)"] if len(opened) > 1 else []
    for other, (descriptor, _info) in opened.items():
        if other != edition:
            os.close(descriptor)
    descriptor, info = opened[edition]
    data = _read(descriptor)
    row.update(edition=edition, source=names[edition],
               modified=datetime.fromtimestamp(info.st_mtime).astimezone().isoformat(timespec="seconds"))
    if data is None:
        target.unlink(missing_ok=True)
        notes.insert(0, "too large")
    else:
        temporary = out / f".{student}.ipynb.{secrets.token_hex(4)}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, target)
    row["note"] = "; ".join(notes + problems)
    return row


def collect(lesson: str, homes: Path = Path("/home"), out: Path | None = None,
            students: list[str] | None = None) -> list[dict[str, str]]:
    """Collect lesson ``lesson`` from every home in ``homes`` (or only ``students``') into ``out``; return the rows."""
    names = _lesson_names(lesson)
    homes = _homes_folder(homes)
    out = Path(out if out is not None else BUILD / "submissions" / f"lesson-{lesson}").expanduser().resolve()
    if is_inside(out, homes) or is_inside(homes, out):
        raise UsageError(f"--out must lie outside the homes folder {homes} (students control what is there); got "
                         f"{out}. Pass another folder, or leave --out out to write into build/submissions/.")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file())):
        raise UsageError(f"--out must be a new or empty folder, or an earlier collection (with {MANIFEST}); {out} "
                         f"is not. Pass a new folder.")
    if students is None:
        students = sorted(entry.name for entry in os.scandir(homes) if _home(homes, entry.name))
    wrong = [name for name in students if not NAME.fullmatch(name)]
    if wrong:
        raise UsageError(f"--students must be Unix user names ([a-z_][a-z0-9_-]*), separated by commas; got "
                         f"{', '.join(map(repr, wrong))}.")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".*.tmp"):  # a temporary file of a run killed while it wrote
        stale.unlink(missing_ok=True)
    rows = []
    for student in students:
        home = _home(homes, student)
        if home is None:
            (out / f"{student}.ipynb").unlink(missing_ok=True)
            rows.append(dict(student=student, edition="-", source="", modified="", note=f"no home in {homes}"))
        else:
            rows.append(collect_student(home, names, out, student))
        if rows[-1]["note"]:
            print(f"{student}: {rows[-1]['note']}")
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (out / MANIFEST).write_text(text.getvalue(), encoding="utf-8")
    copied = sum((out / f"{row['student']}.ipynb").is_file() for row in rows)
    print(f"Collected lesson {lesson} from {copied} of {len(rows)} students into {out} (manifest: {out / MANIFEST})")
    return rows


def return_one(home: Path, lesson: str, text: bytes) -> str | None:
    """Write ``text`` to ``<home>/pytorch-course/feedback/lesson-NN.md``; return why not, or None when written."""
    root = os.geteuid() == 0 if hasattr(os, "geteuid") else False
    folders = [os.open(home, DIRECTORY)]
    try:
        owner = os.fstat(folders[0])
        try:
            folders.append(os.open(COURSE_FOLDER, DIRECTORY, dir_fd=folders[0]))
        except OSError as error:
            return f"{COURSE_FOLDER}/ is not a real folder ({error.strerror})"
        try:
            os.mkdir("feedback", 0o755, dir_fd=folders[1])
            created = True
        except FileExistsError:
            created = False
        try:
            folders.append(os.open("feedback", DIRECTORY, dir_fd=folders[1]))
        except OSError as error:
            return f"{COURSE_FOLDER}/feedback/ is not a real folder ({error.strerror})"
        if created:
            os.fchmod(folders[2], 0o755)
            if root:
                os.fchown(folders[2], owner.st_uid, owner.st_gid)
        name = f"lesson-{lesson}.md"
        try:
            mode = os.stat(name, dir_fd=folders[2], follow_symlinks=False).st_mode
        except FileNotFoundError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):
            return f"{COURSE_FOLDER}/feedback/{name} is {'a link' if stat.S_ISLNK(mode) else 'not a file'}"
        temporary = f".{name}.{secrets.token_hex(4)}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644,
                             dir_fd=folders[2])
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(text)
                handle.flush()
                os.fchmod(descriptor, 0o644)
                if root:
                    os.fchown(descriptor, owner.st_uid, owner.st_gid)
                os.fsync(descriptor)
            os.replace(temporary, name, src_dir_fd=folders[2], dst_dir_fd=folders[2])
        except BaseException:
            os.unlink(temporary, dir_fd=folders[2])
            raise
        os.fsync(folders[2])
        return None
    finally:
        for folder in folders:
            os.close(folder)


def return_feedback(lesson: str, homes: Path = Path("/home"), feedback: Path | None = None) -> dict[str, str | None]:
    """Return each ``<student>.md`` of ``feedback`` to that student's home; {student: why not, or None if returned}."""
    _lesson_names(lesson)
    homes = _homes_folder(homes)
    feedback = Path(feedback if feedback is not None else BUILD / "grades" / f"lesson-{lesson}" / "feedback")
    if not feedback.is_dir():
        raise UsageError(f"--feedback must be the folder of feedback files that make grade wrote "
                         f"(OUT/feedback/); {feedback} is not a folder. Run make grade first, or pass that folder.")
    results: dict[str, str | None] = {}
    for path in sorted(feedback.glob("*.md")):
        student, home = path.stem, _home(homes, path.stem)
        if home is None:
            results[student] = f"no home in {homes}" if NAME.fullmatch(student) else "not a student's name"
        else:
            try:
                results[student] = return_one(home, lesson, path.read_bytes())
            except OSError as error:
                results[student] = f"could not write ({error.strerror or type(error).__name__})"
        if results[student]:
            print(f"{student}: {results[student]}: feedback not returned")
    returned = sum(problem is None for problem in results.values())
    print(f"Returned lesson {lesson} feedback to {returned} of {len(results)} students "
          f"(<home>/{COURSE_FOLDER}/feedback/lesson-{lesson}.md)")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.collect", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("collect", help="copy each student's notebook of the lesson into one folder")
    give = commands.add_parser("return", help="put each student's feedback file into their home")
    for command in (take, give):
        command.add_argument("--lesson", required=True, help="the lesson's two-digit number, e.g. 01")
        command.add_argument("--homes", type=Path, default=Path("/home"), help="the folder of the students' homes "
                                                                                "(default /home)")
    take.add_argument("--out", type=Path, help="where to copy the notebooks (default: build/submissions/lesson-NN/)")
    take.add_argument("--students", help="only these students, separated by commas (default: every home)")
    give.add_argument("--feedback", type=Path, help="the feedback folder make grade wrote "
                                                    "(default: build/grades/lesson-NN/feedback/)")
    args = parser.parse_args(argv)
    try:
        if args.command == "collect":
            students = [name.strip() for name in args.students.split(",") if name.strip()] if args.students else None
            collect(args.lesson, args.homes, args.out, students)
        else:
            return_feedback(args.lesson, args.homes, args.feedback)
    except UsageError as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
