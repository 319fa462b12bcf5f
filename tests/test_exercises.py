"""Every exercise in every notebook: its folded solution passes, the untouched cell says 'not attempted'.

Wrong answers are tested per notebook, in tests/test_exercises_<NN>_*.py.
"""

from __future__ import annotations

import pytest
import torch

from helpers.check import Status, evaluate, get_exercise, registered_ids
from tests.exercise_harness import all_exercises, grade, line

EXERCISES = all_exercises()


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("ex", EXERCISES, ids=str)
def test_solution_passes(ex, language):
    result, printed = ex.run(ex.solution, language)
    assert result.status is Status.CORRECT, result.line()
    assert line(result, language) in printed, "the exercise cell must print the check's line"


@pytest.mark.parametrize("ex", EXERCISES, ids=str)
def test_untouched_cell_is_not_attempted(ex):
    result, printed = ex.run()
    assert result.status is Status.NOT_ATTEMPTED, result.line()
    assert printed.strip().endswith(result.line())


def test_every_checker_is_used_by_exactly_one_exercise():
    used = [ex.exercise_id for ex in EXERCISES]
    assert len(used) == len(set(used)), f"an exercise id is used twice: {sorted(used)}"
    assert sorted(used) == registered_ids(), "checkers and notebook exercises must match one to one"


def test_exercise_ids_match_their_notebook():
    for ex in EXERCISES:
        assert ex.notebook.startswith(ex.exercise_id.split(".")[0] + "_"), f"{ex} is in the wrong notebook"


@pytest.mark.parametrize("exercise_id", registered_ids())
@pytest.mark.parametrize("garbage", [None, "abc", 3, [1.0, 2.0], torch.zeros(0)], ids=repr)
def test_answers_of_the_wrong_kind_get_a_hint(exercise_id, garbage):
    result = evaluate(exercise_id, garbage)
    assert result.status is Status.NOT_YET
    assert "checking your answer raised" not in result.message, result.line()



def _answer(ex):
    """The solution's answer object, as the exercise cell binds it."""
    namespace = {"__name__": "__exercise__"}
    exec(compile(ex.setup, f"{ex}:setup", "exec"), namespace)
    exec(compile(ex.source_with(ex.solution).split("check(")[0], f"{ex}", "exec"), namespace)
    return namespace[ex.name]


@pytest.mark.parametrize("ex", EXERCISES, ids=str)
def test_the_grader_calls_every_function_answer_on_inputs_it_draws_and_the_solution_passes(ex, capsys):
    """Where the answer is a function, the checker has cases: the grader calls it on inputs drawn at grading time,
    and the folded solution is right on every draw (a few seeds here; the harness grades every answer on one)."""
    answer = _answer(ex)
    if callable(answer):
        assert get_exercise(ex.exercise_id).cases is not None, f"{ex}: a function answer needs cases(seed)"
    for seed in range(3) if get_exercise(ex.exercise_id).cases is not None else []:
        verdict = grade(ex.exercise_id, answer, seed)
        assert verdict.status is Status.CORRECT, f"{ex} (seed {seed}): {verdict.line()}"
