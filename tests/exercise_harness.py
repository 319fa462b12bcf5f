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
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

# the conventions, read the same way as the classroom kit reads them
from classroom.notebook import CHECK_CALL, PLACEHOLDER, SOLUTION, speaking, with_answer
from helpers.check import Result, Status, evaluate, get_exercise, judge_for_grader, observe_for_grader

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

def line(result: Result, language: str = "en") -> str:
    """The line the check printed for ``result``, in ``language`` (Result.line() speaks the current language)."""
    with speaking(language):
        return result.line()


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

    def run(self, code: str | None = None, language: str = "en", graded: bool = True) -> tuple[Result, str]:
        """Run setup and the exercise cell with ``code`` in place (None: untouched); return (result, printed).

        ``language`` is the one the helpers speak while the exercise cell and its check run ("zh": the Chinese
        edition's hints); the caller's language is put back afterwards. Every run also asserts that checking the answer left torch's
        global random generator as it was: whether and how often a learner ran a check never changes what later
        random cells draw (a check makes its inputs with its own generator).
        ``graded``: also grade the answer as the classroom grader does (English runs only; the same judge speaks both
        languages) and assert that it agrees (:func:`agree_with_grader`).
        """
        namespace: dict = {"__name__": "__exercise__"}
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), speaking("en"):  # a Chinese setup cell switches the language too
            exec(compile(self.setup, f"{self.notebook}:setup", "exec"), namespace)
            with speaking(language):
                source = self.cell if code is None else self.source_with(code)
                exec(compile(source, f"{self}", "exec"), namespace)
                before = torch.random.get_rng_state()
                result = evaluate(self.exercise_id, namespace[self.name])
                # the grader's verdict is the same code in every language: checked on the English runs
                verdicts = [grade(self.exercise_id, namespace[self.name], seed)
                            for seed in (GRADER_SEEDS if language == "en" and graded else ())]
                assert torch.equal(before, torch.random.get_rng_state()), (
                    f"{self}: checking the answer drew from torch's global random generator; use a torch.Generator"
                )
        agree_with_grader(self, result, verdicts, printed.getvalue())
        return result, printed.getvalue()


# a seed the classroom grader might choose (it draws a new one for every submission; test_exercises.py tries more on
# every solution)
GRADER_SEEDS = (20261206,)


def grade(exercise_id: str, answer: object, seed: int) -> Result:
    """The classroom grader's verdict on ``answer``: observed as in the learner's kernel, judged from the bytes."""
    return judge_for_grader(exercise_id, observe_for_grader(exercise_id, answer, seed), seed)


def agree_with_grader(ex: Exercise, result: Result, graded: list[Result], printed: str) -> None:
    """The grader, judging from plain data (and on inputs of its own for a function answer), gives the learner's
    verdict and message, except that an answer right only on the exercise's own example is 'not yet' there."""
    for seed, verdict in zip(GRADER_SEEDS, graded):
        if verdict.status is not Status.CORRECT and result.status is Status.CORRECT:
            raise OnlyOnTheExample(f"{ex} (seed {seed}): right in the notebook, not yet for the grader: "
                                   f"{verdict.line()}\n{printed}")
        assert verdict.status is result.status, f"{ex} (seed {seed}): the grader says {verdict.line()!r}, " \
                                                f"the notebook {result.line()!r}"
        if result.status is not Status.CORRECT:
            assert verdict.message == result.message, f"{ex} (seed {seed}): the grader's hint differs"


class OnlyOnTheExample(AssertionError):
    """An answer the learner's check accepts and the grader does not: right only on the exercise's own example."""


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


MIN_MISTAKES = 3  # plausible wrong answers listed per exercise, each with words its hint must contain
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer (code replacing the placeholder) and words the hint for it must contain."""

    code: str
    hint: str

    def __str__(self) -> str:
        return self.code.splitlines()[0]


def mistake_table(notebook_name: str, wrong: dict[str, list[tuple[str, str]]]) -> list[tuple[Exercise, Mistake]]:
    """Pair each exercise of ``notebook_name`` with its table of plausible wrong answers.

    Fails when an exercise has fewer than MIN_MISTAKES, a mistake has no hint words, or a table names an exercise
    that does not exist: a mistake table is part of every exercise.
    """
    exercises = {ex.exercise_id: ex for ex in find_exercises(NOTEBOOKS / notebook_name)}
    assert exercises, f"{notebook_name} has no exercises"
    unknown = sorted(set(wrong) - set(exercises))
    assert not unknown, f"{notebook_name}: wrong answers listed for exercises that do not exist: {unknown}"
    short = sorted(i for i in exercises if len(wrong.get(i, [])) < MIN_MISTAKES)
    assert not short, f"{notebook_name}: fewer than {MIN_MISTAKES} plausible wrong answers listed for {short}"
    cases = []
    for exercise_id in sorted(wrong):
        for entry in wrong[exercise_id]:
            assert isinstance(entry, tuple) and len(entry) == 2 and all(isinstance(e, str) for e in entry), (
                f"{notebook_name} {exercise_id}: each wrong answer is (code, words its hint must contain), got {entry!r}"
            )
            code, hint = entry
            assert hint.strip(), f"{notebook_name} {exercise_id}: no hint words for the wrong answer {code!r}"
            cases.append((exercises[exercise_id], Mistake(code, hint)))
    return cases


def assert_rejected(ex: Exercise, code: str, language: str = "en") -> Result:
    """Assert that ``code`` in place of the placeholder gets 'not yet' with a real hint, printed in the cell."""
    result, printed = ex.run(code, language)
    assert result.status is Status.NOT_YET, f"{ex} accepted a wrong answer ({language}):\n{code}\n{result.line()}"
    assert "checking your answer raised" not in result.message and "检查你的答案时" not in result.message, (
        f"{ex}: a typical wrong answer deserves a real hint, not a crash report:\n{code}\n{result.line()}"
    )
    assert line(result, language) in printed
    return result


def exercise_tests(
    notebook_name: str,
    wrong: dict[str, list[tuple[str, str]]],
    right: dict[str, list[str]] | None = None,
    quiet_user_warnings: bool = False,
    only_example: dict[str, list[str]] | None = None,
) -> dict[str, Callable]:
    """Return the standard tests of one notebook's exercises, to put into a test module with ``globals().update``.

    Args:
        wrong: exercise id -> its mistake table: at least MIN_MISTAKES plausible wrong answers, each a pair
            (code replacing the placeholder, words the hint must contain). Each must get "not yet" with a hint
            that names the mistake in English, and a translated hint in the Chinese edition.
        right: exercise id -> right answers written another way than the folded solution; each must pass in
            both languages.
        quiet_user_warnings: silence UserWarnings the wrong answers raise on purpose (a non-leaf's .grad).
        only_example: exercise id -> answers right only on the exercise's own example (a function that returns the
            example's result whatever it gets...): the learner's check accepts them, the grader, calling the
            function on inputs of its own, does not. Every exercise whose answer is a function (its checker has
            ``cases``) needs at least one.

    Every run of an answer (wrong, right or folded solution) is also graded as the classroom grader does, and must get
    the same verdict and hint there (:func:`agree_with_grader`).
    """
    cases = mistake_table(notebook_name, wrong)
    exercises = {ex.exercise_id: ex for ex in find_exercises(NOTEBOOKS / notebook_name)}
    ids = [f"{ex.exercise_id}:{mistake}" for ex, mistake in cases]

    def run(call: Callable, *args):
        with warnings.catch_warnings():
            if quiet_user_warnings:
                warnings.simplefilter("ignore", UserWarning)
            return call(*args)

    @pytest.mark.parametrize(("ex", "mistake"), cases, ids=ids)
    def test_wrong_answer_gets_a_hint_that_names_the_mistake(ex: Exercise, mistake: Mistake) -> None:
        result = run(assert_rejected, ex, mistake.code)
        assert mistake.hint in result.message, f"the hint should name the mistake ({mistake.hint!r}):\n{result.line()}"

    @pytest.mark.parametrize(("ex", "mistake"), cases, ids=ids)
    def test_wrong_answer_gets_a_chinese_hint_in_the_chinese_edition(ex: Exercise, mistake: Mistake) -> None:
        english = run(ex.run, mistake.code, "en", False)[0]  # graded already by the English test of this row
        result = run(assert_rejected, ex, mistake.code, "zh")
        assert CJK.search(result.message) and result.message != english.message, (
            f"the hint is not translated (mark it with _() and translate it in course.po):\n{result.line()}"
        )

    right_cases = [(i, c) for i, codes in (right or {}).items() for c in codes]

    @pytest.mark.parametrize("language", ["en", "zh"])
    @pytest.mark.parametrize(("exercise_id", "code"), right_cases)
    def test_right_answer_written_another_way_passes(exercise_id: str, code: str, language: str) -> None:
        result, printed = run(exercises[exercise_id].run, code, language)
        assert result.status is Status.CORRECT, f"{code}\n{result.line()}"
        assert line(result, language) in printed

    with_cases = sorted(i for i in exercises if get_exercise(i).cases is not None)
    missing = [i for i in with_cases if not (only_example or {}).get(i)]
    assert not missing, f"{notebook_name}: no answer right only on the example listed for {missing} (only_example=)"
    example_cases = [(i, c) for i, codes in (only_example or {}).items() for c in codes]

    @pytest.mark.parametrize(("exercise_id", "code"), example_cases)
    def test_answer_right_only_on_the_example_fails_with_the_grader(exercise_id: str, code: str) -> None:
        assert get_exercise(exercise_id).cases is not None, f"{exercise_id} calls no function on inputs of its own"
        with pytest.raises(OnlyOnTheExample):
            run(exercises[exercise_id].run, code)

    tests = {
        "test_wrong_answer_gets_a_hint_that_names_the_mistake": test_wrong_answer_gets_a_hint_that_names_the_mistake,
        "test_wrong_answer_gets_a_chinese_hint_in_the_chinese_edition":
            test_wrong_answer_gets_a_chinese_hint_in_the_chinese_edition,
    }
    if right_cases:
        tests["test_right_answer_written_another_way_passes"] = test_right_answer_written_another_way_passes
    if example_cases:
        tests["test_answer_right_only_on_the_example_fails_with_the_grader"] = (
            test_answer_right_only_on_the_example_fails_with_the_grader)
    return tests
