"""Find the exercises in a notebook and run them with a solution or a wrong answer in place.

Conventions every notebook follows (see README, "Writing exercises"):
- The notebook's first code cell is its setup cell (imports, seeding, device).
- An exercise cell holds exactly one placeholder line ``name = ...`` and one call
  ``check("NN.k", name)``; it is self-contained given the setup cell.
- The next Markdown cell folds the solution in ``<details>`` as one fenced ```python block;
  that code replaces the placeholder line.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

# the conventions, read the same way as the classroom kit reads them
from classroom.notebook import CHECK_CALL, PLACEHOLDER, SOLUTION, with_answer
from helpers.check import Result, Status, evaluate

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

@dataclass(frozen=True)
class Exercise:
    """One exercise as it stands in a notebook."""

    notebook: str
    exercise_id: str
    name: str
    setup: str
    cell: str
    solution: str

    def __str__(self) -> str:
        return f"{self.notebook}:{self.exercise_id}"

    def source_with(self, code: str) -> str:
        """The exercise cell with its placeholder line replaced by ``code``."""
        return with_answer(self.cell, code)

    def run(self, code: str | None = None) -> tuple[Result, str]:
        """Run setup and the exercise cell with ``code`` in place (None: untouched); return (result, printed)."""
        namespace: dict = {"__name__": "__exercise__"}
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(self.setup, f"{self.notebook}:setup", "exec"), namespace)
            source = self.cell if code is None else self.source_with(code)
            exec(compile(source, f"{self}", "exec"), namespace)
        return evaluate(self.exercise_id, namespace[self.name]), printed.getvalue()


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _strip_magics(code: str) -> str:
    return "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))


def find_exercises(notebook: Path) -> list[Exercise]:
    """Return the exercises of ``notebook``; raise AssertionError where the conventions are broken."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code_cells = [c for c in cells if c["cell_type"] == "code"]
    setup = _strip_magics(_source(code_cells[0])) if code_cells else ""
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        text = _source(cell)
        calls = CHECK_CALL.findall(text)
        if not calls:
            continue
        where = f"{notebook.name} cell {index}"
        assert len(calls) == 1, f"{where}: one check(...) per exercise cell, found {len(calls)}"
        exercise_id, name = calls[0]
        placeholders = PLACEHOLDER.findall(text)
        assert len(placeholders) == 1 and placeholders[0][0] == name, (
            f"{where}: needs exactly one placeholder line `{name} = ...`, found {placeholders}"
        )
        following = cells[index + 1] if index + 1 < len(cells) else None
        assert following is not None and following["cell_type"] == "markdown", (
            f"{where}: the solution must follow in a Markdown cell with <details>"
        )
        solution = SOLUTION.search(_source(following))
        assert solution, f"{where}: the next Markdown cell has no <details> ... ```python ... ``` ... </details> solution"
        found.append(Exercise(notebook.name, exercise_id, name, setup, text, solution.group("code")))
    return found


def all_exercises() -> list[Exercise]:
    """Every exercise in every notebook, in course order."""
    return [ex for nb in sorted(NOTEBOOKS.glob("*.ipynb")) for ex in find_exercises(nb)]


def wrong_answer_cases(notebook_name: str, wrong: dict[str, list[str]]) -> list[tuple[Exercise, str]]:
    """Pair each exercise of ``notebook_name`` with its typical wrong answers (code replacing the placeholder).

    Fails when an exercise of the notebook has no wrong answer listed, or one is listed for no exercise.
    """
    exercises = {ex.exercise_id: ex for ex in find_exercises(NOTEBOOKS / notebook_name)}
    assert exercises, f"{notebook_name} has no exercises"
    missing = sorted(set(exercises) - {k for k, v in wrong.items() if v})
    unknown = sorted(set(wrong) - set(exercises))
    assert not missing, f"{notebook_name}: no wrong answers listed for {missing}"
    assert not unknown, f"{notebook_name}: wrong answers listed for exercises that do not exist: {unknown}"
    return [(exercises[i], code) for i in sorted(wrong) for code in wrong[i]]


def assert_rejected(ex: Exercise, code: str) -> Result:
    """Assert that ``code`` in place of the placeholder gets 'not yet' with a real hint, printed in the cell."""
    result, printed = ex.run(code)
    assert result.status is Status.NOT_YET, f"{ex} accepted a wrong answer:\n{code}\n{result.line()}"
    assert "checking your answer raised" not in result.message, (
        f"{ex}: a typical wrong answer deserves a real hint, not a crash report:\n{code}\n{result.line()}"
    )
    assert result.line() in printed
    return result


def exercise_tests(
    notebook_name: str,
    wrong: dict[str, list[str]],
    hints: list[tuple[str, str, str]] = (),
    right: dict[str, list[str]] | None = None,
    quiet_user_warnings: bool = False,
) -> dict[str, Callable]:
    """Return the standard tests of one notebook's exercises, to put into a test module with ``globals().update``.

    Args:
        wrong: exercise id -> typical wrong answers (code replacing the placeholder); each must get "not yet"
            with a real hint, and every exercise needs at least one.
        hints: (exercise id, wrong code, words the hint must contain): the hint points at that mistake.
        right: exercise id -> right answers written another way than the folded solution; each must pass.
        quiet_user_warnings: silence UserWarnings the wrong answers raise on purpose (a non-leaf's .grad).
    """
    cases = wrong_answer_cases(notebook_name, wrong)
    exercises = {ex.exercise_id: ex for ex, _ in cases}

    def run(call: Callable, *args):
        with warnings.catch_warnings():
            if quiet_user_warnings:
                warnings.simplefilter("ignore", UserWarning)
            return call(*args)

    @pytest.mark.parametrize(("ex", "code"), cases, ids=[f"{ex.exercise_id}:{code.splitlines()[0]}" for ex, code in cases])
    def test_wrong_answer_is_not_yet(ex: Exercise, code: str) -> None:
        run(assert_rejected, ex, code)

    @pytest.mark.parametrize(("exercise_id", "code", "hint"), list(hints))
    def test_hints_point_at_the_mistake(exercise_id: str, code: str, hint: str) -> None:
        result, _ = run(exercises[exercise_id].run, code)
        assert hint in result.message, result.line()

    @pytest.mark.parametrize(("exercise_id", "code"), [(i, c) for i, codes in (right or {}).items() for c in codes])
    def test_right_answer_written_another_way_passes(exercise_id: str, code: str) -> None:
        result, printed = run(exercises[exercise_id].run, code)
        assert result.status is Status.CORRECT, f"{code}\n{result.line()}"
        assert result.line() in printed

    tests = {"test_wrong_answer_is_not_yet": test_wrong_answer_is_not_yet}
    if hints:
        tests["test_hints_point_at_the_mistake"] = test_hints_point_at_the_mistake
    if right:
        tests["test_right_answer_written_another_way_passes"] = test_right_answer_written_another_way_passes
    return tests
