"""Grade the course's own solutions with the classroom kit, every lesson, both editions (for course authors).

    python tools/grade_solutions.py            # every lesson with exercises
    python tools/grade_solutions.py 03 07      # some lessons

For each lesson it fills every exercise of the student edition (English and Chinese) with the solution folded in
the course notebook, grades the two notebooks with ``classroom.grade`` (two jobs) and prints how long that took.
Exit status 1, naming them, if any exercise is not graded "correct": a checker, a solution or the grader disagrees.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classroom import grade, sandbox  # noqa: E402
from classroom.notebook import NOTEBOOKS, check_calls, exercises, with_answer  # noqa: E402
from classroom.student import student_notebook  # noqa: E402


def solved(path: Path) -> nbformat.NotebookNode:
    """The student edition of ``path`` with each exercise's placeholder line replaced by its solution."""
    nb = nbformat.read(path, as_version=4)
    solutions = {exercise.exercise_id: exercise for exercise in exercises(nb.cells)}
    student = student_notebook(nb)
    for cell in student.cells:
        calls = check_calls(cell)
        if calls and calls[0][0] in solutions:
            cell.source = with_answer(cell.source, solutions[calls[0][0]].solution)
    return student


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="two-digit lesson numbers (default: every lesson with exercises)")
    args = parser.parse_args(argv)
    lessons = args.lessons or sorted(p.name[:2] for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
                                     if exercises(nbformat.read(p, as_version=4).cells))
    wrong = []
    # the course's own solutions need no sandbox, but grading them in it (where bubblewrap works) tests it too
    sandboxed = sandbox.unavailable() is None
    print(f"grading {'in the bubblewrap sandbox' if sandboxed else 'without the sandbox (bubblewrap is not usable here)'}")
    with tempfile.TemporaryDirectory(prefix="grade-solutions-") as tmp:
        for lesson in lessons:
            folder = Path(tmp) / lesson / "submissions"
            folder.mkdir(parents=True)
            for edition, base in (("en", NOTEBOOKS), ("zh", NOTEBOOKS / "zh")):
                nbformat.write(solved(next(base.glob(f"{lesson}_*.ipynb"))), folder / f"solutions_{edition}.ipynb")
            start = time.perf_counter()
            results = grade.grade_folder(folder, lesson, Path(tmp) / lesson / "out", jobs=2, progress=False,
                                         limits=grade.Limits(sandboxed=sandboxed))
            seconds = time.perf_counter() - start
            bad = [f"{r.file} {i}: {g.status} ({g.message})" for r in results for i, g in r.grades.items()
                   if g.status != "correct"]
            wrong += bad
            print(f"lesson {lesson}: {len(results)} notebooks graded in {seconds:.1f} s, "
                  f"{'every exercise correct' if not bad else f'{len(bad)} not correct'}\n", flush=True)
    for line in wrong:
        print("NOT CORRECT:", line)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
